-- undo add_reliability_guards (sqlite)
DROP TABLE idempotency_keys;
ALTER TABLE payroll_runs DROP COLUMN inputs_seq;
