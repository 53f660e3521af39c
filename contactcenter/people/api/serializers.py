"""API shapes of queues, agents and skills. Values are checked by the models' ``clean`` (the
contract's bounds), names of queues and skills must exist: every refusal names its field."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import serializers

from contactcenter.campaigns.api.serializers import _CleanedModelSerializer
from contactcenter.core.contract_checks import contract_errors
from contactcenter.people.models import SKILL_LEVELS, Agent, HumanQueue, Skill
from contactcenter.people.services import AgentSetup
from contactcenter.telephony.snapshot import queue_members
from pbx.api.telephony import QueueMember


class SkillSerializer(_CleanedModelSerializer):
    class Meta:
        model = Skill
        fields = ["id", "name", "description"]


class QueueSerializer(_CleanedModelSerializer):
    overflow_queue = serializers.SlugRelatedField(slug_field="name", queryset=HumanQueue.objects.all(),
                                                  required=False, allow_null=True)  # fmt: skip
    required_skill = serializers.SlugRelatedField(slug_field="name", queryset=Skill.objects.all(),
                                                  required=False, allow_null=True)  # fmt: skip
    members = serializers.SerializerMethodField(help_text="Who answers it: hand-set members and the "
                                                          "required skill's holders, with their penalty.")  # fmt: skip

    class Meta:
        model = HumanQueue
        fields = ["id", "name", "description", "strategy", "ring_timeout_s", "max_wait_s", "wrap_up_s",
                  "service_level_s", "overflow_queue", "overflow_after_s", "music_class", "announce_position",
                  "announce_frequency_s", "required_skill", "members"]  # fmt: skip
        # What a queue is at least created with (the rest has defaults).
        extra_kwargs = {name: {"required": True} for name in
                        ("strategy", "ring_timeout_s", "max_wait_s", "wrap_up_s", "service_level_s")}  # fmt: skip

    def get_members(self, queue: HumanQueue) -> list[dict[str, Any]]:
        by_hand = list(queue.memberships.select_related("agent"))
        skilled = list(queue.required_skill.holders.select_related("agent")) if queue.required_skill_id else []
        return [m.model_dump() for m in queue_members(queue, by_hand, skilled)]


class AgentSkillEntry(serializers.Serializer):
    skill = serializers.SlugRelatedField(slug_field="name", queryset=Skill.objects.all())
    level = serializers.ChoiceField(choices=list(SKILL_LEVELS))


class AgentSerializer(_CleanedModelSerializer):
    """An agent, its queues (names), penalties per queue, skills and console user (a username)."""

    queues = serializers.SlugRelatedField(slug_field="name", many=True, queryset=HumanQueue.objects.all(),
                                          required=False)  # fmt: skip
    penalties = serializers.DictField(child=serializers.IntegerField(), required=False,
                                      help_text="queue name -> penalty (0 rings first), for queues the agent is in")  # fmt: skip
    skills = AgentSkillEntry(many=True, required=False)
    username = serializers.CharField(required=False, allow_blank=True, allow_null=True,
                                     help_text="An existing user who works the console as this agent; "
                                               "empty: none.")  # fmt: skip

    # Not fields of the Agent row: do_configure_agent writes them.
    SETUP_FIELDS = ("queues", "penalties", "skills", "username")

    class Meta:
        model = Agent
        fields = ["id", "name", "display_name", "queues", "penalties", "skills", "username", "transport",
                  "static_contact", "auto_answer", "state", "state_changed_at", "sip_password_generation"]  # fmt: skip
        read_only_fields = ["state", "state_changed_at", "sip_password_generation"]

    def to_representation(self, agent: Agent) -> dict[str, Any]:
        data = super().to_representation(agent)
        memberships = list(agent.memberships.select_related("queue"))
        data["queues"] = [m.queue.name for m in memberships]
        data["penalties"] = {m.queue.name: m.penalty for m in memberships}
        data["skills"] = [{"skill": s.skill.name, "level": s.level} for s in agent.skills.select_related("skill")]
        profile = getattr(agent, "profile", None)
        data["username"] = profile.user.get_username() if profile else None
        return data

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        setup = {name: attrs.pop(name) for name in self.SETUP_FIELDS if name in attrs}
        attrs = super().validate(attrs)
        queues = setup.get("queues")
        if "penalties" in setup:
            in_queues = {q.name for q in queues} if queues is not None else (
                {q.name for q in self.instance.queues.all()} if self.instance else set())  # fmt: skip
            for queue, penalty in setup["penalties"].items():
                if queue not in in_queues:
                    raise serializers.ValidationError({"penalties": f"{queue!r} is not one of the agent's queues"})
                if errors := contract_errors(QueueMember, {"agent": "a", "penalty": penalty}):
                    raise serializers.ValidationError({"penalties": f"{queue}: {errors['penalty'][0]}"})
        if "skills" in setup:
            names = [entry["skill"].name for entry in setup["skills"]]
            if len(set(names)) != len(names):
                raise serializers.ValidationError({"skills": "a skill is listed twice"})
        if "username" in setup:
            setup["user"] = self._user(setup.pop("username"))
        attrs["_setup"] = AgentSetup(
            queues=queues, penalties=setup.get("penalties"),
            skills={e["skill"]: e["level"] for e in setup["skills"]} if "skills" in setup else None,
            **({"user": setup["user"]} if "user" in setup else {}),
        )  # fmt: skip
        return attrs

    def _user(self, username: str | None) -> Any:
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise serializers.ValidationError({"username": f"no user {username!r} (create_user makes one)"})
        profile = getattr(user, "agent_profile", None)
        if profile is not None and (self.instance is None or profile.agent_id != self.instance.pk):
            raise serializers.ValidationError({"username": f"{username} already works as {profile.agent.name}"})
        return user
