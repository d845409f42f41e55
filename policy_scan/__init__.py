"""policy-scan: does a national plan mainstream migration and displacement?"""

__version__ = "0.1.0"
