"""``python -m pingtai`` runs the command-line interface."""

from pingtai.cli import main

main()
