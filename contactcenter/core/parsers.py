"""JSON request bodies that cannot crash a view: DRF's parser turns a syntax error into 400 but
lets a deeply nested document (``[[[[…]]]]`` a few thousand deep) out as a RecursionError, a 500."""

from __future__ import annotations

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply") from None
