ALTER TABLE labels ADD CONSTRAINT labels_color_check CHECK (color ~ '^#[0-9a-f]{6}$');
