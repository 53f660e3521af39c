"""The demo's simulated customers: who they are and what they say."""

from __future__ import annotations

from dataclasses import dataclass

from ops.simulator.customer import CustomerScript


@dataclass(frozen=True)
class DemoLead:
    lead_id: int
    first_name: str
    order_id: str
    item: str
    amount: str
    script: CustomerScript
    expect_escalation: bool

    @property
    def phone(self) -> str:
        """The number the campaign dials; the simulator answers it with this lead's script."""
        return f"+9198000{self.lead_id:05d}"

    def fields(self) -> dict[str, str]:
        return {"first_name": self.first_name, "order_id": self.order_id, "item": self.item,
                "amount": self.amount, "currency": "rupees"}  # fmt: skip


def _routine(name: str, *lines: str) -> CustomerScript:
    return CustomerScript(name, lines, linger_s=8.0)


def _escalating(name: str, line: str, interrupt_after_s: float | None = None) -> CustomerScript:
    # They stay on the line long enough to be answered by an agent and talk for a while.
    return CustomerScript(name, (line,), interrupt_after_s=interrupt_after_s, linger_s=14.0)


CONFIRMS = _routine("confirms", "Yes, please deliver it.")
CONFIRMS_CORRECT = _routine("confirms", "Yes, that is correct.")
CONFIRMS_GO_AHEAD = _routine("confirms", "Yes, go ahead.")
CONFIRMS_SEND = _routine("confirms", "Yes, please send it.")
CALLBACK = _routine("callback", "I am busy right now, please call me later.", "Tomorrow evening.")
ANGRY = _escalating("angry", "This is ridiculous! I have waited two weeks and you keep calling me. "
                             "I want to speak to a manager right now!", interrupt_after_s=3.0)  # fmt: skip
HUMAN = _escalating("human", "Can I please talk to a real person?")
DISPUTE = _escalating("dispute", "I never ordered this. Somebody has used my account, this is fraud.")
# Hesitant: not a yes, so the bot must not take it as one. (The Hinglish "theek hai... pata
# nahi" needs a Hindi-capable recogniser, which no offline package ships; see README.)
HESITANT = _escalating("hesitant", "Hmm, I am not sure, maybe, I don't know.")

_ESCALATING = {ANGRY, HUMAN, DISPUTE, HESITANT}

# (name, item, amount, script). The first nine are the short demo's mix; 22 make `make demo`.
_PEOPLE: tuple[tuple[str, str, str, CustomerScript], ...] = (
    ("Asha", "a steel water bottle", "499", CONFIRMS),
    ("Rahul", "a pair of running shoes", "2999", ANGRY),
    ("Meera", "a cotton bedsheet", "899", CONFIRMS_CORRECT),
    ("Vikram", "a desk lamp", "1299", CALLBACK),
    ("Priya", "a yoga mat", "699", HUMAN),
    ("Arjun", "a phone cover", "299", CONFIRMS_GO_AHEAD),
    ("Kavya", "a table fan", "1899", DISPUTE),
    ("Sanjay", "a backpack", "1499", CONFIRMS_SEND),
    ("Neha", "a wall clock", "799", HESITANT),
    ("Rohan", "a pressure cooker", "2199", CONFIRMS),
    ("Divya", "a pair of earphones", "999", CONFIRMS_CORRECT),
    ("Karan", "a cricket bat", "1799", CONFIRMS_GO_AHEAD),
    ("Sneha", "a hair dryer", "1199", CALLBACK),
    ("Aditya", "a laptop stand", "1599", CONFIRMS_SEND),
    ("Pooja", "a set of cushions", "749", CONFIRMS),
    ("Manish", "a mixer grinder", "3299", ANGRY),
    ("Lakshmi", "a tea kettle", "899", CONFIRMS_CORRECT),
    ("Imran", "a travel bag", "2499", CONFIRMS_GO_AHEAD),
    ("Anjali", "a study table", "4999", HUMAN),
    ("Deepak", "a power bank", "1299", CONFIRMS_SEND),
    ("Farah", "a pair of sandals", "899", CONFIRMS),
    ("Suresh", "a ceiling light", "1399", CONFIRMS_CORRECT),
)

DEMO_LEADS: tuple[DemoLead, ...] = tuple(
    DemoLead(i + 1, name, f"A{1001 + i}", item, amount, script, script in _ESCALATING)
    for i, (name, item, amount, script) in enumerate(_PEOPLE)
)
