"""The pre-review: an application plus its read documents in, a verdict out."""
