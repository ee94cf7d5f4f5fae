"""Small shared test settings (a plain module: worker processes import it too)."""

#: A recurrent classifier small and short enough for a unit test.
TINY = dict(
    embedding_dim=8,
    hidden_size=8,
    max_epochs=2,
    batch_size=8,
    early_stopping=False,
    random_state=0,
)

#: Short reviews that a bag of words separates: "good" or "bad" decides.
TEXTS = [
    "a good film !",
    "good , really good",
    "I loved it",
    "what a good story",
    "a bad film .",
    "bad , really bad",
    "I hated it",
    "what a bad plot",
] * 3
LABELS = ["pos"] * 4 + ["neg"] * 4
LABELS = LABELS * 3
