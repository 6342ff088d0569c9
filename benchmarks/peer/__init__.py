"""A minimal site running django-comments-xtd, the peer we compare against.

It runs in its own virtualenv (made by ``benchmarks.__main__``), never in ours."""
