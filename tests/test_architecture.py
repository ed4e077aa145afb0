"""The import check (docs/architecture.md, "Imports and the check").

Three rules, each a test:
- the import-linter contracts in pyproject.toml hold (domains import only the domains below
  them; models, services and queries sit below the views, the policy and the exports; the
  shared core imports no domain);
- no cycle among the module-level imports of ``coordination`` (imports under
  ``if TYPE_CHECKING:`` do not run, so they do not count);
- an import inside a function has a comment saying why, on the line above it (or above the
  run of import lines it belongs to) or on its own line.
"""
from __future__ import annotations

import ast
import io
import subprocess
import sys
import tokenize
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "coordination"


def _modules() -> dict[str, Path]:
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imported(module: str, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    """The modules of ``coordination`` that ``node`` (in ``module``) imports."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".")
            if MODULES[module].name != "__init__.py":
                package.pop()
            package = package[: len(package) - node.level + 1]
            base = ".".join(package + ([base] if base else []))
        # ``from package import module`` imports the module; ``from module import name`` the module.
        names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
    for name in names:
        while name not in MODULES and "." in name:
            name = name.rsplit(".", 1)[0]
        if name in MODULES:
            yield name


def _module_level_imports(module: str) -> set[str]:
    """What ``module`` imports when it is imported: statements outside functions and outside
    ``if TYPE_CHECKING:`` blocks."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(ast.Module(body=[other], type_ignores=[]))
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                found.update(_imported(module, child))
            visit(child)

    visit(ast.parse(MODULES[module].read_text(encoding="utf-8")))
    found.discard(module)
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return components


def test_import_linter_contracts_hold():
    """Domain order and layers, as written in pyproject.toml ([tool.importlinter])."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(  # noqa: S603 - the linter installed beside our own interpreter
        [str(lint_imports), "--no-cache", "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]


def test_no_cycle_among_module_level_imports():
    graph = {module: _module_level_imports(module) for module in MODULES}
    cycles = _cycles(graph)
    described = []
    for component in cycles:
        members = set(component)
        edges = [f"{a} -> {b}" for a in component for b in sorted(graph[a] & members)]
        described.append("; ".join(edges))
    assert not cycles, "import cycles:\n" + "\n".join(described)


def _comment_lines(source: str) -> set[int]:
    return {token.start[0] for token in tokenize.generate_tokens(io.StringIO(source).readline)
            if token.type == tokenize.COMMENT}


def _function_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    yield inner


def unexplained_function_imports(source: str) -> list[int]:
    """Lines of imports inside functions with no comment beside them or above their run of imports."""
    tree = ast.parse(source)
    comments = _comment_lines(source)
    import_lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            import_lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    bare = set()
    for node in _function_imports(tree):
        lines = range(node.lineno, (node.end_lineno or node.lineno) + 1)
        if comments.intersection(lines):
            continue
        above = node.lineno - 1
        while above in import_lines and above not in comments:
            above -= 1
        if above not in comments:
            bare.add(node.lineno)
    return sorted(bare)


def test_the_function_import_rule_reads_comments_as_meant():
    explained = "def f():\n    # matplotlib is slow to import\n    import a\n    import b\n"
    beside = "def f():\n    import a  # a cycle with b\n"
    bare = "def f():\n    x = 1\n    import a\n"
    after_code = "def f():\n    # why\n    import a\n    x = 1\n    import b\n"
    assert unexplained_function_imports(explained) == []
    assert unexplained_function_imports(beside) == []
    assert unexplained_function_imports(bare) == [3]
    assert unexplained_function_imports(after_code) == [5]
    assert unexplained_function_imports("import a\n\ndef f():\n    return a\n") == []


def test_imports_inside_functions_say_why():
    bare = [f"{path.relative_to(ROOT)}:{line}" for path in MODULES.values()
            for line in unexplained_function_imports(path.read_text(encoding="utf-8"))]
    assert not bare, ("imports inside functions without a comment saying why (move them to the "
                      "top of the module, or say why they cannot be there):\n" + "\n".join(bare))


def test_domain_packages_hold_only_a_docstring():
    """The contracts name a domain's modules as ``coordination.X.**``, which leaves out the
    package itself: so its __init__.py must hold nothing to import from (demo's is its loader,
    named as a whole in the contracts)."""
    crowded = []
    for module, path in MODULES.items():
        parts = module.split(".")
        if path.name != "__init__.py" or len(parts) != 2 or module == "coordination.demo":
            continue
        body = ast.parse(path.read_text(encoding="utf-8")).body
        if any(not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
               and not (isinstance(node, ast.ImportFrom) and node.module == "__future__")
               for node in body):
            crowded.append(str(path.relative_to(ROOT)))
    assert not crowded, f"domain packages whose __init__.py holds code: {crowded}"
