"""`python -m scenes.app`: the attention-drift command."""

from scenes.app.cli import main

main()
