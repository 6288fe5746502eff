-- undo add_reliability_guards (postgres)
DROP TABLE idempotency_keys;
ALTER TABLE payroll_runs DROP COLUMN inputs_seq;
