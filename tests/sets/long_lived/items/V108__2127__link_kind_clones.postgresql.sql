ALTER TYPE link_kind ADD VALUE 'clones' AFTER 'duplicates';
