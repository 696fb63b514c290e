"""pingtai — track whether Shaoxing's platform-economy plans are being delivered.

The library is layered one way: YAML → catalog; workbook → records → ledger;
catalog × ledger × date → assessments → findings / reports → renderers.
Nothing below :mod:`pingtai.cli` prints, prompts, exits or reads the clock.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
