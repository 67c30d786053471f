"""``python -m loadwatch``."""

from loadwatch.cli import main

if __name__ == "__main__":
    main()
