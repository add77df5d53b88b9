"""The import rules of docs/architecture.md, as import-linter contracts in pyproject.toml."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PYPROJECT = ROOT / "pyproject.toml"

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("importlinter") is None,
    reason="import-linter is not installed: `pip install -e '.[dev]'` (make install) to check the import rules",
)


def test_every_app_imports_only_what_docs_architecture_allows():
    # import-linter's own command rather than its internals: its report names the broken contract and the
    # exact import (module, line) that breaks it. It reads pyproject.toml from the repository's root, which is
    # also where it imports `frenchbot` from: this checkout, not another one installed in the environment.
    command = "from importlinter.cli import lint_imports_command; lint_imports_command()"
    result = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-c", command, "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        pytest.fail(
            "An app imports one that docs/architecture.md does not allow:\n" + result.stdout + result.stderr,
            pytrace=False,
        )


def test_the_contracts_catch_an_app_importing_one_it_may_not():
    # Proves the first test can fail: the same contracts, checked against today's import graph plus one import
    # that breaks a rule (core importing the back-office), report that very import.
    import grimp
    from importlinter.api import read_configuration
    from importlinter.contracts.forbidden import ForbiddenContract

    config = read_configuration(str(PYPROJECT))
    graph = grimp.build_graph(config["session_options"]["root_packages"][0], cache_dir=None)
    graph.add_import(
        importer="frenchbot.core.views",
        imported="frenchbot.backoffice.views",
        line_number=1,
        line_contents="from frenchbot.backoffice import views",
    )
    [options] = [options for options in config["contracts_options"] if options["id"] == "core"]
    contract = ForbiddenContract(
        name=options["name"], session_options=config["session_options"], contract_options=options
    )

    check = contract.check(graph, verbose=False)

    assert not check.kept
    reported = {
        (link["importer"], link["imported"])
        for invalid in check.metadata["invalid_chains"]
        for chain in invalid["chains"]
        for link in chain
    }
    assert ("frenchbot.core.views", "frenchbot.backoffice.views") in reported
