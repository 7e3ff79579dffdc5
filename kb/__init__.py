"""kb — a knowledge base of Chinese S&T policy and speeches on 科技成果转化.

The library returns plain frozen dataclasses; `kb.cli` is a thin click layer over it.
"""

__version__ = "0.1.0"
