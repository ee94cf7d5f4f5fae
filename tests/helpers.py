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
