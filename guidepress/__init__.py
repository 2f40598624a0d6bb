"""guidepress: the clinic's publishing pipeline as a library.

    from guidepress.build import build
    result = build(["manuscript/muscle-spasms.md"], out="dist")

    from guidepress.read import read_guide
    guide, warnings = read_guide("manuscript/muscle-spasms.md")

The packages are named after the stages a manuscript passes through (ARCHITECTURE.md):
``read`` (Markdown + YAML → the model in ``model``) → ``render`` (model → HTML) →
``layout`` (HTML → laid-out pages) → ``writers`` (EPUB, print PDF, handouts, site) →
``build`` (plans, caches and runs the writers, puts files in place) and ``checks``
(`publish check`). The ``publish`` command (publish.py) is a thin Click layer over them.
Nothing is imported here, so `python -m guidepress.sysdeps` runs before any third-party
package is installed, and `publish --version` stays instant.
"""

__version__ = "0.1.0"
