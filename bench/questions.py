"""What the benchmarks' visitors ask: questions that each get a database answer."""

FAQ_QUESTIONS = (
    "does it hurt?",
    "how much does it cost",
    "can it cover my fue scars",
    "how long does it last",
    "is it better than a hair transplant",
    "what aftercare do I need",
)
