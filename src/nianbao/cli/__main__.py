"""`python -m nianbao.cli …`: the `nianbao` command."""

from . import main

if __name__ == "__main__":
    main()
