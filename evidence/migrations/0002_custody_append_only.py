"""The custody log is append-only in the database itself (DESIGN.md 5).

UPDATE and DELETE on a custody event always raise. TRUNCATE raises unless the session has set
`vale.custody_maintenance = 'on'` for its transaction: the test suite's table flush between
transactional tests needs that, and a restore into a fresh database would too. It is a guard
against mistakes, not against someone who controls the database: that is what the hash chain
and its head printed outside the database are for.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION evidence_custody_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('vale.custody_maintenance', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the chain of custody is append-only: % on evidence_custodyevent refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER custody_no_update BEFORE UPDATE ON evidence_custodyevent
    FOR EACH ROW EXECUTE FUNCTION evidence_custody_refuse_change();
CREATE TRIGGER custody_no_delete BEFORE DELETE ON evidence_custodyevent
    FOR EACH ROW EXECUTE FUNCTION evidence_custody_refuse_change();
CREATE TRIGGER custody_no_truncate BEFORE TRUNCATE ON evidence_custodyevent
    FOR EACH STATEMENT EXECUTE FUNCTION evidence_custody_refuse_change();
"""

REVERSE = """
DROP TRIGGER IF EXISTS custody_no_truncate ON evidence_custodyevent;
DROP TRIGGER IF EXISTS custody_no_delete ON evidence_custodyevent;
DROP TRIGGER IF EXISTS custody_no_update ON evidence_custodyevent;
DROP FUNCTION IF EXISTS evidence_custody_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("evidence", "0001_requests_exhibits_custody")]
    operations = [migrations.RunSQL(FORWARD, REVERSE)]
