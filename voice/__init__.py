"""backtriage runtime: audio in and out, recognizers, speaker, session loops and the CLI."""
