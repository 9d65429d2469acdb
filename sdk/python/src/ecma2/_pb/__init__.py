"""Generated protobuf and gRPC modules of package ``ecma2.v1``. Do not edit.

Produced by ``sdk/python/scripts/gen_protos.py`` from ``proto/ecma2/v1``; a test fails when
they drift from the protos. Application code uses the typed model in :mod:`ecma2` instead.
"""
