"""The import_data section registry, and the typed field parsers its sections are made of.

Each app registers, in its AppConfig.ready(), the sections of the import document it owns
(`section_register`) and the fields it reads from another app's rows (`fields_register`: the
notes app reads the signal data from the rows of `accounts`). The `imports` app reads the
document, runs every section's parser, and applies the parsed rows in section order.

The package: `fields` (the typed parsers), `registry` (sections and extra fields), `parsing`
(rows and the parse context) and `storing` (the apply context and the chunked upsert). The
registry lives here, below every app and without a model, so that every app may fill it
(`accounts` may not import `imports`). Cross-section lookups go through the contexts: a `Ref`
field names its target section, which answers "is this id in the file or in the database?"
while parsing and "which row is it?" while applying.
"""

from healthscore.importing.fields import (
    EXTERNAL_ID,
    MAX_COUNT,
    Boolean,
    Choice,
    Count,
    Date,
    Email,
    Field,
    Id,
    Invalid,
    Money,
    NameList,
    Ref,
    Text,
    lone_surrogate_place,
    may_hold_surrogates,
    text_is_encodable,
)
from healthscore.importing.parsing import ParseContext, Row
from healthscore.importing.registry import (
    LOOKUP_BATCH,
    ExtraFields,
    Section,
    extra_fields,
    fields_register,
    find_batched,
    section_register,
    sections,
)
from healthscore.importing.storing import ApplyContext, Upserted, rows_insert, rows_upsert

__all__ = [
    "EXTERNAL_ID",
    "LOOKUP_BATCH",
    "MAX_COUNT",
    "ApplyContext",
    "Boolean",
    "Choice",
    "Count",
    "Date",
    "Email",
    "ExtraFields",
    "Field",
    "Id",
    "Invalid",
    "Money",
    "NameList",
    "ParseContext",
    "Ref",
    "Row",
    "Section",
    "Text",
    "Upserted",
    "extra_fields",
    "fields_register",
    "find_batched",
    "rows_insert",
    "rows_upsert",
    "section_register",
    "sections",
    "lone_surrogate_place",
    "may_hold_surrogates",
    "text_is_encodable",
]
