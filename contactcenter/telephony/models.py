"""Trunks, business hours and inbound routes: the PBX's edges, as Django owns them.

Like queues and agents (``contactcenter.people``), each becomes a word of ``pbx.api``
(``TrunkSpec``, ``OpeningHours``, ``InboundRoute``) in the snapshot pbx renders; ``clean``
asks that contract, so the admin and the API refuse what pbx would.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from contactcenter.core.choices import literal_choices
from contactcenter.core.contract_checks import contract_errors, spec_default
from contactcenter.people.models import Agent
from pbx.api import InboundRoute as InboundRouteSpec
from pbx.api.telephony import (
    E164_PATTERN,
    AfterHoursAction,
    InboundTarget,
    OpeningHours,
    TrunkSpec,
    TrunkTransport,
)
from pbx.api.telephony import (
    OpeningWindow as OpeningWindowSpec,
)

_DAYS = [(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"), (4, "Friday"), (5, "Saturday"),
         (6, "Sunday")]  # fmt: skip


class Trunk(models.Model):
    """A carrier's SIP trunk. The password is stored because Asterisk's outbound authentication
    needs it in clear; only admins see it (the API never returns it)."""

    name = models.CharField(max_length=40, unique=True, help_text="The PJSIP endpoint; campaigns name it.")
    host = models.CharField(max_length=253)
    port = models.PositiveIntegerField(default=spec_default(TrunkSpec, "port"))
    transport = models.CharField(max_length=8, choices=literal_choices(TrunkTransport),
                                 default=spec_default(TrunkSpec, "transport"))  # fmt: skip
    username = models.CharField(max_length=64, blank=True, help_text="Outbound authentication.")
    password = models.CharField(max_length=128, blank=True)
    registers = models.BooleanField(default=False, help_text="Register to the carrier (needs username and password).")
    caller_id = models.CharField(max_length=16, blank=True, help_text="E.164, presented when a call names none.")
    destination_patterns = models.JSONField(default=list, blank=True,
                                            help_text='What may be dialled through it: ["_+91XXXXXXXXXX"]; '
                                                      "empty: any E.164 number.")  # fmt: skip
    max_channels = models.PositiveIntegerField(null=True, blank=True)
    agents_may_dial = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def spec(self) -> TrunkSpec:
        return TrunkSpec(**self._spec_values())

    def _spec_values(self) -> dict:
        return {"name": self.name, "host": self.host, "port": self.port, "transport": self.transport,
                "username": self.username, "password": self.password, "registers": self.registers,
                "caller_id": self.caller_id, "destination_patterns": tuple(self.destination_patterns or ()),
                "max_channels": self.max_channels, "agents_may_dial": self.agents_may_dial}  # fmt: skip

    def clean(self) -> None:
        if not isinstance(self.destination_patterns, list):
            raise ValidationError({"destination_patterns": 'give a list of patterns, e.g. ["_+91XXXXXXXXXX"]'})
        errors = contract_errors(TrunkSpec, self._spec_values())
        if "__all__" in errors and self.registers:  # the contract's registration rule
            errors.setdefault("registers", []).extend(errors.pop("__all__"))
        if Agent.objects.filter(name=self.name).exists():
            errors.setdefault("name", []).append("an agent has this name (both are SIP endpoints)")
        if errors:
            raise ValidationError(errors)


class BusinessHours(models.Model):
    """When the business answers: weekly windows in a time zone, minus holidays."""

    name = models.SlugField(max_length=40, unique=True)
    timezone = models.CharField(max_length=64, default="UTC", help_text="IANA zone, e.g. Asia/Kolkata.")

    class Meta:
        verbose_name_plural = "business hours"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if errors := contract_errors(OpeningHours, {"timezone": self.timezone}):
            raise ValidationError(errors)

    def spec(self) -> OpeningHours:
        return OpeningHours(
            timezone=self.timezone,
            windows=tuple(OpeningWindowSpec(weekday=w.weekday, opens=w.opens, closes=w.closes)
                          for w in self.windows.all()),
            holidays=tuple(h.date for h in self.holidays.all()),
        )  # fmt: skip


class OpeningWindow(models.Model):
    hours = models.ForeignKey(BusinessHours, on_delete=models.CASCADE, related_name="windows")
    weekday = models.PositiveSmallIntegerField(choices=_DAYS)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.opens is None or self.closes is None:
            return  # the fields' own validation says so
        errors = contract_errors(OpeningWindowSpec, {"weekday": self.weekday, "opens": self.opens,
                                                     "closes": self.closes})  # fmt: skip
        if "__all__" in errors:  # the contract's order rule, said of the closing time
            errors.setdefault("closes", []).extend(errors.pop("__all__"))
        if errors:
            raise ValidationError(errors)


class Holiday(models.Model):
    hours = models.ForeignKey(BusinessHours, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["date"]
        unique_together = [("hours", "date")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}".strip()


class InboundRoute(models.Model):
    """What answers a DID: a campaign's bot flow (blended inbound) or straight a queue, while the
    business hours say open; the after-hours action otherwise."""

    did = models.CharField("DID", max_length=16, unique=True, validators=[RegexValidator(E164_PATTERN,
                           "an E.164 number, e.g. +918000100100")])  # fmt: skip
    target = models.CharField(max_length=8, choices=literal_choices(InboundTarget),
                              default=spec_default(InboundRouteSpec, "target"))  # fmt: skip
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="inbound_routes",
                                 help_text="target flow: its bot flow and policy answer; escalations go to its "
                                           "escalation queue.")  # fmt: skip
    queue = models.ForeignKey("people.HumanQueue", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="inbound_routes", help_text="target queue: where callers wait.")  # fmt: skip
    hours = models.ForeignKey(BusinessHours, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="routes", help_text="Empty: always open.")  # fmt: skip
    after_hours = models.CharField(max_length=16, choices=literal_choices(AfterHoursAction),
                                   default=spec_default(InboundRouteSpec, "after_hours"))  # fmt: skip
    after_hours_sound = models.CharField(max_length=80, blank=True,
                                         help_text="A sound file (no extension) played after hours; empty: a stock "
                                                   "message.")  # fmt: skip
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["did"]

    def __str__(self) -> str:
        return self.did

    @property
    def digits(self) -> str:
        """The snapshot's key: the DID without its +."""
        return self.did.removeprefix("+")

    def clean(self) -> None:
        errors = contract_errors(InboundRouteSpec, {"target": self.target, "after_hours": self.after_hours,
                                                    "after_hours_sound": self.after_hours_sound, "flow": "x"})  # fmt: skip
        if self.target == "flow" and self.campaign_id is None:
            errors.setdefault("campaign", []).append("a flow route answers with a campaign's flow: name the campaign")
        if self.target == "queue" and self.queue_id is None:
            errors.setdefault("queue", []).append("a queue route names its queue")
        if errors:
            raise ValidationError(errors)
