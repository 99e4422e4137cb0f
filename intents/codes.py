"""The codes the understanding layer speaks in: no imports, so ``--help`` can list them cheaply."""

TOPICS = (
    "start", "duration", "age", "pain_score", "sleep", "daily_activities", "fever", "weight_loss", "weakness",
    "numbness", "bladder_bowel", "saddle_numbness", "trauma", "osteoporosis", "steroids", "cancer_history",
    "infection_risk", "more_info",
)
EXPECTS = ("yesno", "duration", "number")
META_INTENTS = ("repeat", "back", "help", "stop", "slower", "restart")
