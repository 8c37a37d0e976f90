-- Fresh install of the tracker 1.1 (items V1 to V52).

CREATE SCHEMA reporting;

CREATE TYPE public.issue_kind AS ENUM (
    'bug',
    'feature',
    'task'
);

CREATE TYPE public.issue_status AS ENUM (
    'open',
    'in_progress',
    'resolved',
    'closed'
);

CREATE FUNCTION public.assign_issue_number() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NEW.number IS NULL OR NEW.number = 0 THEN
        UPDATE projects SET next_issue_number = next_issue_number + 1
        WHERE id = NEW.project_id
        RETURNING next_issue_number - 1 INTO NEW.number;
    END IF;
    RETURN NEW;
END;
$$;

CREATE FUNCTION public.audit_row_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO audit_log (table_name, row_id, action, old_row)
        VALUES (TG_TABLE_NAME, OLD.id, 'D', to_jsonb(OLD));
        RETURN OLD;
    END IF;
    INSERT INTO audit_log (table_name, row_id, action, old_row, new_row)
    VALUES (TG_TABLE_NAME, NEW.id, left(TG_OP, 1),
            CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(OLD) END, to_jsonb(NEW));
    RETURN NEW;
END;
$$;

CREATE FUNCTION public.set_closed_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NEW.status = 'closed' AND OLD.status IS DISTINCT FROM 'closed' THEN
        NEW.closed_at := now();
    ELSIF NEW.status <> 'closed' THEN
        NEW.closed_at := NULL;
    END IF;
    RETURN NEW;
END;
$$;

CREATE FUNCTION public.set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE FUNCTION reporting.refresh_project_summary() RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    REFRESH MATERIALIZED VIEW CONCURRENTLY reporting.project_summary;
END;
$$;

CREATE TABLE public.api_tokens (
    id integer NOT NULL,
    user_id integer NOT NULL,
    token_hash bytea NOT NULL,
    "lastUsedAt" timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE SEQUENCE public.api_tokens_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.api_tokens_id_seq OWNED BY public.api_tokens.id;

CREATE TABLE public.attachments (
    id bigint NOT NULL,
    comment_id bigint,
    file_name character varying(255) NOT NULL,
    content_type character varying(100),
    size_bytes bigint,
    storage_key text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE SEQUENCE public.attachments_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.attachments_id_seq OWNED BY public.attachments.id;

CREATE TABLE public.audit_log (
    id bigint NOT NULL,
    table_name text,
    row_id bigint,
    action character(1) NOT NULL,
    changed_by integer,
    changed_at timestamp with time zone DEFAULT now() NOT NULL,
    old_row jsonb,
    new_row jsonb
);

CREATE SEQUENCE public.audit_log_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.audit_log_id_seq OWNED BY public.audit_log.id;

CREATE TABLE public.comments (
    id bigint NOT NULL,
    issue_id integer NOT NULL,
    user_id integer,
    body text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    edited_at timestamp with time zone,
    CONSTRAINT comments_body_not_empty CHECK ((length(body) > 0))
);

CREATE SEQUENCE public.comments_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.comments_id_seq OWNED BY public.comments.id;

CREATE SEQUENCE public.export_job_seq
    START WITH 100
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

CREATE TABLE public.issue_labels (
    issue_id integer NOT NULL,
    label_id integer NOT NULL
);

CREATE TABLE public.issue_subscriptions (
    issue_id integer NOT NULL,
    user_id integer NOT NULL,
    reason character varying(20) DEFAULT 'manual'::character varying NOT NULL
);

CREATE TABLE public.issues (
    id integer NOT NULL,
    project_id integer NOT NULL,
    number integer NOT NULL,
    title character varying(255) NOT NULL,
    body text,
    reporter_id integer,
    assignee_id integer,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    status public.issue_status DEFAULT 'open'::public.issue_status NOT NULL,
    priority smallint DEFAULT 3 NOT NULL,
    milestone_id integer,
    kind public.issue_kind DEFAULT 'task'::public.issue_kind NOT NULL,
    closed_at timestamp with time zone,
    CONSTRAINT issues_priority_check CHECK (((priority >= 1) AND (priority <= 5)))
);

CREATE SEQUENCE public.issues_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.issues_id_seq OWNED BY public.issues.id;

CREATE TABLE public.labels (
    id integer NOT NULL,
    project_id integer NOT NULL,
    name character varying(50) NOT NULL,
    color character(7) DEFAULT '#999999'::bpchar NOT NULL,
    description text
);

CREATE SEQUENCE public.labels_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.labels_id_seq OWNED BY public.labels.id;

CREATE TABLE public.milestones (
    id integer NOT NULL,
    project_id integer NOT NULL,
    title character varying(100) NOT NULL,
    due_on date,
    closed boolean DEFAULT false NOT NULL
);

CREATE SEQUENCE public.milestones_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.milestones_id_seq OWNED BY public.milestones.id;

CREATE VIEW public.open_issues AS
 SELECT issues.id,
    issues.project_id,
    issues.number,
    issues.title,
    issues.status,
    issues.priority,
    issues.assignee_id
   FROM public.issues
  WHERE (issues.status <> 'closed'::public.issue_status);

CREATE TABLE public.project_members (
    project_id integer NOT NULL,
    user_id integer NOT NULL,
    role character varying(20) DEFAULT 'member'::character varying NOT NULL
);

CREATE TABLE public.projects (
    id integer NOT NULL,
    key character varying(10) NOT NULL,
    name character varying(200) NOT NULL,
    owner_id integer,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    next_issue_number integer DEFAULT 1 NOT NULL,
    archived_at timestamp with time zone
);

CREATE SEQUENCE public.projects_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.projects_id_seq OWNED BY public.projects.id;

CREATE TABLE public.time_entries (
    id bigint NOT NULL,
    issue_id integer NOT NULL,
    user_id integer NOT NULL,
    minutes integer NOT NULL,
    spent_on date DEFAULT CURRENT_DATE NOT NULL,
    note character varying(500),
    billable boolean DEFAULT false NOT NULL,
    CONSTRAINT time_entries_minutes_check CHECK ((minutes > 0))
);

CREATE SEQUENCE public.time_entries_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.time_entries_id_seq OWNED BY public.time_entries.id;

CREATE TABLE public.user_sessions (
    token text NOT NULL,
    user_id integer NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL
);

CREATE TABLE public.users (
    id integer NOT NULL,
    email character varying(255) NOT NULL,
    display_name character varying(100),
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    is_active boolean DEFAULT true NOT NULL,
    time_zone text DEFAULT 'UTC'::text NOT NULL
);

CREATE SEQUENCE public.users_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.users_id_seq OWNED BY public.users.id;

CREATE VIEW reporting.issue_facts AS
 SELECT i.id AS issue_id,
    i.project_id,
    i.status,
    i.priority,
    i.assignee_id,
    i.created_at
   FROM public.issues i;

CREATE MATERIALIZED VIEW reporting.project_summary AS
 SELECT issue_facts.project_id,
    count(*) AS issue_count,
    count(*) FILTER (WHERE (issue_facts.status <> 'closed'::public.issue_status)) AS open_count
   FROM reporting.issue_facts
  GROUP BY issue_facts.project_id
  ;

ALTER TABLE ONLY public.api_tokens ALTER COLUMN id SET DEFAULT nextval('public.api_tokens_id_seq'::regclass);

ALTER TABLE ONLY public.attachments ALTER COLUMN id SET DEFAULT nextval('public.attachments_id_seq'::regclass);

ALTER TABLE ONLY public.audit_log ALTER COLUMN id SET DEFAULT nextval('public.audit_log_id_seq'::regclass);

ALTER TABLE ONLY public.comments ALTER COLUMN id SET DEFAULT nextval('public.comments_id_seq'::regclass);

ALTER TABLE ONLY public.issues ALTER COLUMN id SET DEFAULT nextval('public.issues_id_seq'::regclass);

ALTER TABLE ONLY public.labels ALTER COLUMN id SET DEFAULT nextval('public.labels_id_seq'::regclass);

ALTER TABLE ONLY public.milestones ALTER COLUMN id SET DEFAULT nextval('public.milestones_id_seq'::regclass);

ALTER TABLE ONLY public.projects ALTER COLUMN id SET DEFAULT nextval('public.projects_id_seq'::regclass);

ALTER TABLE ONLY public.time_entries ALTER COLUMN id SET DEFAULT nextval('public.time_entries_id_seq'::regclass);

ALTER TABLE ONLY public.users ALTER COLUMN id SET DEFAULT nextval('public.users_id_seq'::regclass);

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash);

ALTER TABLE ONLY public.attachments
    ADD CONSTRAINT attachments_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.audit_log
    ADD CONSTRAINT audit_log_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.comments
    ADD CONSTRAINT comments_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.issue_labels
    ADD CONSTRAINT issue_labels_pkey PRIMARY KEY (issue_id, label_id);

ALTER TABLE ONLY public.issue_subscriptions
    ADD CONSTRAINT issue_subscriptions_pkey PRIMARY KEY (issue_id, user_id);

ALTER TABLE ONLY public.issues
    ADD CONSTRAINT issues_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.issues
    ADD CONSTRAINT issues_project_number_key UNIQUE (project_id, number);

ALTER TABLE ONLY public.labels
    ADD CONSTRAINT labels_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.labels
    ADD CONSTRAINT labels_project_name_key UNIQUE (project_id, name);

ALTER TABLE ONLY public.milestones
    ADD CONSTRAINT milestones_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.project_members
    ADD CONSTRAINT project_members_pkey PRIMARY KEY (project_id, user_id);

ALTER TABLE ONLY public.projects
    ADD CONSTRAINT projects_key_key UNIQUE (key);

ALTER TABLE ONLY public.projects
    ADD CONSTRAINT projects_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.time_entries
    ADD CONSTRAINT time_entries_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.user_sessions
    ADD CONSTRAINT user_sessions_pkey PRIMARY KEY (token);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_email_key UNIQUE (email);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);

CREATE INDEX audit_log_row_idx ON public.audit_log USING btree (table_name, row_id);

CREATE INDEX comments_issue_idx ON public.comments USING btree (issue_id, created_at);

CREATE INDEX issues_closed_at_idx ON public.issues USING btree (closed_at) WHERE (closed_at IS NOT NULL);

CREATE INDEX issues_milestone_idx ON public.issues USING btree (milestone_id);

CREATE INDEX issues_open_assignee_idx ON public.issues USING btree (assignee_id) WHERE (status <> 'closed'::public.issue_status);

CREATE INDEX issues_project_status_idx ON public.issues USING btree (project_id, status);

CREATE INDEX time_entries_issue_idx ON public.time_entries USING btree (issue_id);

CREATE INDEX time_entries_user_day_idx ON public.time_entries USING btree (user_id, spent_on);

CREATE INDEX user_sessions_user_idx ON public.user_sessions USING btree (user_id);

CREATE UNIQUE INDEX users_email_lower_idx ON public.users USING btree (lower((email)::text));

CREATE UNIQUE INDEX project_summary_project_idx ON reporting.project_summary USING btree (project_id);

CREATE TRIGGER issues_assign_number BEFORE INSERT ON public.issues FOR EACH ROW EXECUTE FUNCTION public.assign_issue_number();

CREATE TRIGGER issues_audit AFTER INSERT OR DELETE OR UPDATE ON public.issues FOR EACH ROW EXECUTE FUNCTION public.audit_row_change();

CREATE TRIGGER issues_set_closed_at BEFORE UPDATE OF status ON public.issues FOR EACH ROW EXECUTE FUNCTION public.set_closed_at();

CREATE TRIGGER issues_set_updated_at BEFORE UPDATE ON public.issues FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.attachments
    ADD CONSTRAINT attachments_comment_id_fkey FOREIGN KEY (comment_id) REFERENCES public.comments(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.comments
    ADD CONSTRAINT comments_issue_id_fkey FOREIGN KEY (issue_id) REFERENCES public.issues(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.comments
    ADD CONSTRAINT comments_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

ALTER TABLE ONLY public.issue_labels
    ADD CONSTRAINT issue_labels_issue_id_fkey FOREIGN KEY (issue_id) REFERENCES public.issues(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.issue_labels
    ADD CONSTRAINT issue_labels_label_id_fkey FOREIGN KEY (label_id) REFERENCES public.labels(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.issue_subscriptions
    ADD CONSTRAINT issue_subscriptions_issue_id_fkey FOREIGN KEY (issue_id) REFERENCES public.issues(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.issue_subscriptions
    ADD CONSTRAINT issue_subscriptions_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.issues
    ADD CONSTRAINT issues_assignee_id_fkey FOREIGN KEY (assignee_id) REFERENCES public.users(id);

ALTER TABLE ONLY public.issues
    ADD CONSTRAINT issues_milestone_id_fkey FOREIGN KEY (milestone_id) REFERENCES public.milestones(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.issues
    ADD CONSTRAINT issues_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id);

ALTER TABLE ONLY public.issues
    ADD CONSTRAINT issues_reporter_id_fkey FOREIGN KEY (reporter_id) REFERENCES public.users(id);

ALTER TABLE ONLY public.labels
    ADD CONSTRAINT labels_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.milestones
    ADD CONSTRAINT milestones_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.project_members
    ADD CONSTRAINT project_members_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.project_members
    ADD CONSTRAINT project_members_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.projects
    ADD CONSTRAINT projects_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES public.users(id);

ALTER TABLE ONLY public.time_entries
    ADD CONSTRAINT time_entries_issue_id_fkey FOREIGN KEY (issue_id) REFERENCES public.issues(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.time_entries
    ADD CONSTRAINT time_entries_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

ALTER TABLE ONLY public.user_sessions
    ADD CONSTRAINT user_sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

