"""The demo's simulated customers: who they are and what they say."""

from __future__ import annotations

from dataclasses import dataclass

from pbx.simulator.customer import CustomerScript


@dataclass(frozen=True)
class DemoLead:
    lead_id: int
    first_name: str
    order_id: str
    item: str
    amount: str
    script: CustomerScript
    expect_escalation: bool

    def fields(self) -> dict[str, str]:
        return {"first_name": self.first_name, "order_id": self.order_id, "item": self.item,
                "amount": self.amount, "currency": "rupees"}  # fmt: skip


def _routine(name: str, *lines: str) -> CustomerScript:
    return CustomerScript(name, lines, linger_s=8.0)


def _escalating(name: str, line: str, interrupt_after_s: float | None = None) -> CustomerScript:
    # They stay on the line long enough to be answered by an agent and talk for a while.
    return CustomerScript(name, (line,), interrupt_after_s=interrupt_after_s, linger_s=14.0)


DEMO_LEADS: tuple[DemoLead, ...] = (
    DemoLead(1, "Asha", "A1001", "a steel water bottle", "499", _routine("confirms", "Yes, please deliver it."), False),
    DemoLead(2, "Rahul", "A1002", "a pair of running shoes", "2999",
             _escalating("angry", "This is ridiculous! I have waited two weeks and you keep calling me. "
                                  "I want to speak to a manager right now!", interrupt_after_s=3.0), True),
    DemoLead(3, "Meera", "A1003", "a cotton bedsheet", "899", _routine("confirms", "Yes, that is correct."), False),
    DemoLead(4, "Vikram", "A1004", "a desk lamp", "1299",
             _routine("callback", "I am busy right now, please call me later.", "Tomorrow evening."), False),
    DemoLead(5, "Priya", "A1005", "a yoga mat", "699",
             _escalating("human", "Can I please talk to a real person?"), True),
    DemoLead(6, "Arjun", "A1006", "a phone cover", "299", _routine("confirms", "Yes, go ahead."), False),
    DemoLead(7, "Kavya", "A1007", "a table fan", "1899",
             _escalating("dispute", "I never ordered this. Somebody has used my account, this is fraud."), True),
    DemoLead(8, "Sanjay", "A1008", "a backpack", "1499", _routine("confirms", "Yes, please send it."), False),
    # Hesitant: not a yes, so the bot must not take it as one. (The Hinglish "theek hai... pata
    # nahi" needs a Hindi-capable recogniser, which no offline package ships; see README.)
    DemoLead(9, "Neha", "A1009", "a wall clock", "799",
             _escalating("hesitant", "Hmm, I am not sure, maybe, I don't know."), True),
)
