"""Every block kind the home document accepts has a web block (the dashboards block itself is tested on the CRM's
home in test_home.py)."""

from __future__ import annotations


def test_every_block_the_definitions_accept_has_a_registered_web_block() -> None:
    from engine.home.checks import block_kinds
    from web.home.blocks import block_names

    assert block_names() and set(block_names()) == {k.name for k in block_kinds()}
