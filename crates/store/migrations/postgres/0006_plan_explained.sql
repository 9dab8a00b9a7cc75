-- Plans made by the planner keep their parameters, each person's rank and the reason for
-- their place, everyone left out with the reason, and who moved whom when.
ALTER TABLE plans ADD COLUMN request TEXT;
ALTER TABLE stage_persons ADD COLUMN rank BIGINT;
ALTER TABLE stage_persons ADD COLUMN why TEXT;
ALTER TABLE stage_persons ADD COLUMN moved_by TEXT;
ALTER TABLE stage_persons ADD COLUMN moved_at BIGINT;
ALTER TABLE stages ADD COLUMN parity_note TEXT;
ALTER TABLE stages ADD COLUMN closed_by TEXT;
ALTER TABLE stages ADD COLUMN closed_at BIGINT;
CREATE TABLE plan_exclusions (
    plan_id    BIGINT NOT NULL REFERENCES plans (id),
    person_id  BIGINT NOT NULL REFERENCES persons (id),
    from_party TEXT NOT NULL REFERENCES parties (code),
    reason     TEXT NOT NULL,
    PRIMARY KEY (plan_id, person_id)
);
CREATE INDEX stage_persons_person ON stage_persons (person_id);
