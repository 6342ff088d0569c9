"""The Jinja2 environment for the templates Django's engine is too slow for:
the hot loops of the post page's comments and the moderation queue
(``templates/**/*.jinja``, drawn through Django's Jinja2 backend).

Autoescape is on, and values are escaped exactly as Django's templates escape
them, so a page reads the same whichever engine drew a part of it. Values that
are already markup (``journal.sanitize.stored_html``, which alone marks stored
sanitized bodies safe) pass through as they are.

A thread prints tens of thousands of values, so the templates are compiled to
plainer Python than Jinja's default (``FastCodeGenerator``): one escaping call
per printed value, and ``a.b`` as Python's own attribute access.
"""

from __future__ import annotations

import html

from django.templatetags.static import static
from jinja2 import Environment, StrictUndefined
from jinja2.compiler import CodeGenerator

from .sanitize import stored_html


def django_escape(value) -> str:
    """A printed value as Django's templates print it: escaped with
    ``django.utils.html.escape`` (&, <, >, " and ') unless it is already
    markup (has ``__html__``)."""
    kind = value.__class__
    if kind is str:
        return html.escape(value)
    if kind is int:
        return str(value)
    markup = getattr(value, "__html__", None)
    if markup is not None:
        return markup()
    return html.escape(str(value))


class FastCodeGenerator(CodeGenerator):
    """Jinja's compiler with two shortcuts for hot loops.

    - ``{{ value }}`` compiles to ``environment.finalize(value)``, which is
      ``django_escape``, instead of ``escape(environment.finalize(value))``:
      markupsafe's escape would build two ``Markup`` objects per value.
    - ``a.b`` compiles to Python's ``a.b`` instead of ``environment.getattr(a,
      "b")``: no fallback to ``a["b"]``, so a dict's keys are read as
      ``a["b"]``, and a missing attribute raises like ``StrictUndefined``.
    - ``f(x)`` compiles to Python's ``f(x)`` instead of ``context.call(f, x)``:
      the callables these templates are given never ask for Jinja's context.
    """

    def _output_child_pre(self, node, frame, finalize) -> None:
        if not frame.eval_ctx.autoescape or finalize.src is None:
            # Only this module's environment (autoescape, django_escape).
            raise RuntimeError("FastCodeGenerator needs journal.jinja.environment")
        self.write(finalize.src)

    def _output_child_post(self, node, frame, finalize) -> None:
        self.write(")")

    def visit_Getattr(self, node, frame) -> None:
        self.write("(")
        self.visit(node.node, frame)
        self.write(f").{node.attr}")

    def visit_Call(self, node, frame, forward_caller: bool = False) -> None:
        if forward_caller:  # {% call %} blocks pass a caller: Jinja's way
            super().visit_Call(node, frame, forward_caller)
            return
        self.write("(")
        self.visit(node.node, frame)
        # signature() starts each argument with ", ": an empty unpacking first.
        self.write(")(*()")
        self.signature(node, frame)
        self.write(")")


def environment(**options) -> Environment:
    options.pop("autoescape", None)  # always on, whatever the settings say
    options.update(
        finalize=django_escape,
        # A misspelt name fails loudly instead of printing nothing.
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env = Environment(autoescape=True, **options)
    env.code_generator_class = FastCodeGenerator
    env.globals.update(static=static, stored_html=stored_html)
    return env
