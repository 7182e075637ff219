"""The mirror's own write protobufs say what the Firestore client library's would."""

from __future__ import annotations

from datetime import UTC

from google.cloud.firestore_v1 import _helpers
from google.cloud.firestore_v1.types import common, document, write
from google.protobuf.timestamp_pb2 import Timestamp
from hypothesis import given
from hypothesis import strategies as st

from sync import protobufs

PATH = "projects/p/databases/(default)/documents/ro/u1/cases/c1"

leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text()
    | st.datetimes(timezones=st.just(UTC))
)
values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
fields = st.dictionaries(st.text(min_size=1), values, max_size=6)


def library(data: dict) -> document.Document:
    return document.Document(name=PATH, fields=_helpers.encode_dict(data))


@given(fields)
def test_a_whole_document_is_the_library_s_document(data):
    ours = protobufs.replace(PATH, data, update_time=None)
    expected = write.Write(update=library(data), current_document=common.Precondition(exists=False))
    assert write.Write.pb(ours) == write.Write.pb(expected)


@given(fields)
def test_a_field_update_names_exactly_its_fields(data):
    seen = Timestamp(seconds=1_795_325_400, nanos=123_456_789)  # as a version read gives it
    ours = write.Write.pb(protobufs.update(PATH, data, update_time=seen))
    assert ours.update == document.Document.pb(library(data))
    assert list(ours.update_mask.field_paths) == list(data)
    assert ours.current_document.update_time == seen
