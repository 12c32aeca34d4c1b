#!/usr/bin/env python
from opscenter.__main__ import main

if __name__ == "__main__":
    main()
