"""The API's request parser: DRF's JSON parser, refusing text no database can store."""

from __future__ import annotations

import io

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from healthscore.importing import lone_surrogate_place, may_hold_surrogates


class TextJSONParser(JSONParser):
    """JSON whose every key and string is text: a lone UTF-16 surrogate ("\\ud800") is refused
    with its place (a 400), where it would have failed in the database driver (a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read()
        data = super().parse(io.BytesIO(raw), media_type, parser_context)
        # Only an escape can make one (strict UTF-8 refuses an encoded surrogate): no walk without.
        if may_hold_surrogates(raw):
            place = lone_surrogate_place(data)
            if place is not None:
                where = "the body" if place == "(top)" else place
                raise ParseError(f"{where}: holds a lone UTF-16 surrogate (\\ud800-\\udfff), which is not text")
        return data
