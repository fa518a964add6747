"""Chain the journal rows written before the hash chain existed, oldest first.

Rows are numbered in the order they were written (time, then row id), each sealed
with ``settings.AUDIT_CHAIN_KEY`` (set it before migrating a production database),
and the chain head is set to the newest.  Reversible: going back clears the chain.
"""

from django.db import migrations

from talentport.common.audit_chain import GENESIS_HASH, HEAD_PK, SEALED_FIELDS, row_hash

CHUNK = 2000


def chain_existing_rows(apps, schema_editor):
    AuditEvent = apps.get_model("common", "AuditEvent")
    AuditChainHead = apps.get_model("common", "AuditChainHead")
    db = schema_editor.connection.alias
    seq, prev = 0, GENESIS_HASH
    while True:
        # A chunk at a time: the rows just numbered drop out of the next query.
        chunk = list(
            AuditEvent.objects.using(db).filter(seq__isnull=True).order_by("at", "id")[:CHUNK]
        )
        if not chunk:
            break
        for event in chunk:
            seq += 1
            event.seq = seq
            event.prev_hash = prev
            event.hash = row_hash({name: getattr(event, name) for name in SEALED_FIELDS})
            prev = event.hash
        AuditEvent.objects.using(db).bulk_update(chunk, ["seq", "prev_hash", "hash"])
    AuditChainHead.objects.using(db).update_or_create(
        pk=HEAD_PK, defaults={"seq": seq, "hash": prev}
    )


def unchain(apps, schema_editor):
    AuditEvent = apps.get_model("common", "AuditEvent")
    AuditChainHead = apps.get_model("common", "AuditChainHead")
    db = schema_editor.connection.alias
    AuditEvent.objects.using(db).update(seq=None, prev_hash="", hash="")
    AuditChainHead.objects.using(db).all().delete()


class Migration(migrations.Migration):
    dependencies = [("common", "0005_audit_hash_chain")]

    operations = [migrations.RunPython(chain_existing_rows, unchain)]
