-- What ratchet 0.1.0 (bookkeeping format 1) left in a database: the bookshop
-- set beside this file upgraded to release 2.0, then 3.0 prepared and
-- finalized. Written by pg_dump / sqlite3 .dump; do not edit: the tests read
-- it as an older ratchet wrote it.
--
-- PostgreSQL database dump
--


-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: ratchet; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA ratchet;


--
-- Name: books_price_audit(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.books_price_audit() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  INSERT INTO price_history (book_id, old_price_cents, new_price_cents, changed_at)
  VALUES (OLD.id, OLD.price_cents, NEW.price_cents,
          to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'));
  RETURN NEW;
END;
$$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: authors; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.authors (
    id integer NOT NULL,
    full_name text NOT NULL
);


--
-- Name: books; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.books (
    id integer NOT NULL,
    author_id integer NOT NULL,
    title text NOT NULL,
    price_cents integer DEFAULT 0 NOT NULL,
    isbn text,
    slug text,
    CONSTRAINT books_price_cents_check CHECK ((price_cents >= 0))
);


--
-- Name: orders; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.orders (
    id integer NOT NULL,
    book_id integer NOT NULL,
    quantity integer NOT NULL,
    ordered_at text NOT NULL,
    CONSTRAINT orders_quantity_check CHECK ((quantity > 0))
);


--
-- Name: author_sales; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.author_sales AS
 SELECT a.id AS author_id,
    a.full_name,
    count(o.id) AS orders,
    COALESCE(sum((o.quantity * b.price_cents)), (0)::bigint) AS revenue_cents
   FROM ((public.authors a
     LEFT JOIN public.books b ON ((b.author_id = a.id)))
     LEFT JOIN public.orders o ON ((o.book_id = b.id)))
  GROUP BY a.id, a.full_name;


--
-- Name: price_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.price_history (
    book_id integer NOT NULL,
    old_price_cents integer NOT NULL,
    new_price_cents integer NOT NULL,
    changed_at text NOT NULL
);


--
-- Name: events; Type: TABLE; Schema: ratchet; Owner: -
--

CREATE TABLE ratchet.events (
    seq integer NOT NULL,
    at text NOT NULL,
    upgrade_id text,
    event text NOT NULL,
    version text,
    detail text
);


--
-- Name: items; Type: TABLE; Schema: ratchet; Owner: -
--

CREATE TABLE ratchet.items (
    version text NOT NULL,
    major integer NOT NULL,
    minor integer NOT NULL,
    description text NOT NULL,
    ticket text NOT NULL,
    file text NOT NULL,
    checksum text NOT NULL,
    phase text NOT NULL,
    optional integer DEFAULT 0 NOT NULL,
    applied_at text NOT NULL,
    duration_ms integer DEFAULT 0 NOT NULL,
    tool_version text NOT NULL,
    upgrade_id text NOT NULL,
    error text,
    CONSTRAINT items_phase_check CHECK ((phase = ANY (ARRAY['prepared'::text, 'applied'::text, 'failed'::text])))
);


--
-- Name: state; Type: TABLE; Schema: ratchet; Owner: -
--

CREATE TABLE ratchet.state (
    id integer NOT NULL,
    status text NOT NULL,
    upgrade_id text,
    from_release text,
    to_release text,
    started_at text,
    updated_at text,
    in_flight text,
    error_item text,
    error_file text,
    error_line integer,
    error_column integer,
    error_statement text,
    error_sqlstate text,
    error_message text,
    error_at text,
    prepared_at text,
    finalized_at text,
    pivoted integer DEFAULT 0 NOT NULL,
    CONSTRAINT state_id_check CHECK ((id = 1))
);


--
-- Data for Name: authors; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.authors VALUES (1, 'Mary Shelley');
INSERT INTO public.authors VALUES (2, 'Herman Melville');
INSERT INTO public.authors VALUES (3, 'Jane Austen');


--
-- Data for Name: books; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.books VALUES (1, 1, 'Frankenstein', 899, NULL, 'frankenstein');
INSERT INTO public.books VALUES (2, 2, 'Moby-Dick; or, The Whale', 1299, NULL, 'moby-dick-or-the-whale');
INSERT INTO public.books VALUES (3, 3, 'Pride and Prejudice', 799, NULL, 'pride-and-prejudice');


--
-- Data for Name: orders; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: price_history; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: events; Type: TABLE DATA; Schema: ratchet; Owner: -
--

INSERT INTO ratchet.events VALUES (1, '2026-12-02T07:28:23.809Z', NULL, 'bookkeeping-created', NULL, '0.1.0');
INSERT INTO ratchet.events VALUES (2, '2026-12-02T07:28:23.813Z', '20261202T072823-4d5f62', 'upgrade-started', NULL, '9 pending item(s)');
INSERT INTO ratchet.events VALUES (3, '2026-12-02T07:28:23.815Z', '20261202T072823-4d5f62', 'item-applied', 'V1', '57ce3fad94a0f25f766e6adf21fd64b1d022a94a147efd842dc27d9f6990c613');
INSERT INTO ratchet.events VALUES (4, '2026-12-02T07:28:23.822Z', '20261202T072823-4d5f62', 'item-applied', 'V2', 'fd76dd01f539224d5dba4e53af86d43ed2fd42258b6726df732f28310ad4c24e');
INSERT INTO ratchet.events VALUES (5, '2026-12-02T07:28:23.824Z', '20261202T072823-4d5f62', 'item-applied', 'V3', '296cbd78d4aa0b8230e23676c86970499c1f1a8c6dabde0f42ed7065f068046b');
INSERT INTO ratchet.events VALUES (6, '2026-12-02T07:28:23.826Z', '20261202T072823-4d5f62', 'item-applied', 'V3.1', 'd5aa073ceb4153a9a6f4472700f518166ab4e77895276d9afc47efe00fb98c8e');
INSERT INTO ratchet.events VALUES (7, '2026-12-02T07:28:23.827Z', '20261202T072823-4d5f62', 'item-applied', 'V4', 'c45fe24c901938fe828ba6ba7edfdedc8bd3cfbd30247f9898ba5d463a5edff2');
INSERT INTO ratchet.events VALUES (8, '2026-12-02T07:28:23.831Z', '20261202T072823-4d5f62', 'item-applied', 'V6', '49a47729ff16ff17bc7cd1622563b0ad379b581752f369cd71bf7d7f23f4384f');
INSERT INTO ratchet.events VALUES (9, '2026-12-02T07:28:23.832Z', '20261202T072823-4d5f62', 'item-applied', 'V7', '45d6e00b261f38cf986612ab92c23cfc4a53404fc00361d5b870598d25217740');
INSERT INTO ratchet.events VALUES (10, '2026-12-02T07:28:23.834Z', '20261202T072823-4d5f62', 'item-applied', 'V8', 'e801281a59d97e00465eddf08bada1df182d769d348b2cc1eea26e1681817248');
INSERT INTO ratchet.events VALUES (11, '2026-12-02T07:28:23.837Z', '20261202T072823-4d5f62', 'item-applied', 'V9', '98fe2b80cdcee05e2c90e03b1f095a826099fcfc746a9548a2ef45abe16fbf3d');
INSERT INTO ratchet.events VALUES (12, '2026-12-02T07:28:23.839Z', '20261202T072823-4d5f62', 'upgrade-done', NULL, '9 applied, 0 optional failed, 0 skipped');
INSERT INTO ratchet.events VALUES (13, '2026-12-02T07:28:23.902Z', '20261202T072823-84e394', 'prepare-started', NULL, '3 pending item(s), 0 already prepared');
INSERT INTO ratchet.events VALUES (14, '2026-12-02T07:28:23.903Z', '20261202T072823-84e394', 'item-prepared', 'V10', 'ee272a5f51317fe78ff184dd905b01e62cf3439b641cd34efd0ce22011ec2ba1');
INSERT INTO ratchet.events VALUES (15, '2026-12-02T07:28:23.905Z', '20261202T072823-84e394', 'item-started', 'V11', 'journaled');
INSERT INTO ratchet.events VALUES (16, '2026-12-02T07:28:23.907Z', '20261202T072823-84e394', 'statement-done', 'V11', '1/4');
INSERT INTO ratchet.events VALUES (17, '2026-12-02T07:28:23.907Z', '20261202T072823-84e394', 'statement-done', 'V11', '2/4');
INSERT INTO ratchet.events VALUES (18, '2026-12-02T07:28:23.908Z', '20261202T072823-84e394', 'statement-done', 'V11', '3/4');
INSERT INTO ratchet.events VALUES (19, '2026-12-02T07:28:23.908Z', '20261202T072823-84e394', 'statement-done', 'V11', '4/4');
INSERT INTO ratchet.events VALUES (20, '2026-12-02T07:28:23.909Z', '20261202T072823-84e394', 'item-prepared', 'V11', '9d32a84e85f924ce0ce17e5cf6e27bd87f4861f7f85775acbd5cb298c61440b6');
INSERT INTO ratchet.events VALUES (21, '2026-12-02T07:28:23.909Z', '20261202T072823-84e394', 'item-prepared', 'V12', '5b1be539bc1e9fb51fe405846ddf4b6591b1808dac161ce0948fd9963ee2b82d');
INSERT INTO ratchet.events VALUES (22, '2026-12-02T07:28:23.910Z', '20261202T072823-84e394', 'prepare-done', NULL, '3 prepared, 0 optional failed, 0 skipped');
INSERT INTO ratchet.events VALUES (23, '2026-12-02T07:28:23.958Z', '20261202T072823-84e394', 'item-finalized', 'V10', 'ee272a5f51317fe78ff184dd905b01e62cf3439b641cd34efd0ce22011ec2ba1');
INSERT INTO ratchet.events VALUES (24, '2026-12-02T07:28:23.959Z', '20261202T072823-84e394', 'item-finalized', 'V11', '9d32a84e85f924ce0ce17e5cf6e27bd87f4861f7f85775acbd5cb298c61440b6');
INSERT INTO ratchet.events VALUES (25, '2026-12-02T07:28:23.964Z', '20261202T072823-84e394', 'item-finalized', 'V12', '5b1be539bc1e9fb51fe405846ddf4b6591b1808dac161ce0948fd9963ee2b82d');
INSERT INTO ratchet.events VALUES (26, '2026-12-02T07:28:23.965Z', '20261202T072823-84e394', 'pivoted', NULL, '3 item(s) finalized');


--
-- Data for Name: items; Type: TABLE DATA; Schema: ratchet; Owner: -
--

INSERT INTO ratchet.items VALUES ('V1', 1, 0, 'create_authors_and_books', '100', 'V1__100__create_authors_and_books.sql', '57ce3fad94a0f25f766e6adf21fd64b1d022a94a147efd842dc27d9f6990c613', 'applied', 0, '2026-12-02T07:28:23.815Z', 6, '0.1.0', '20261202T072823-4d5f62', NULL);
INSERT INTO ratchet.items VALUES ('V2', 2, 0, 'seed_catalogue', '101', 'V2__101__seed_catalogue.sql', 'fd76dd01f539224d5dba4e53af86d43ed2fd42258b6726df732f28310ad4c24e', 'applied', 0, '2026-12-02T07:28:23.822Z', 1, '0.1.0', '20261202T072823-4d5f62', NULL);
INSERT INTO ratchet.items VALUES ('V3', 3, 0, 'index_books_by_title', '102', 'V3__102__index_books_by_title.sql', '296cbd78d4aa0b8230e23676c86970499c1f1a8c6dabde0f42ed7065f068046b', 'applied', 0, '2026-12-02T07:28:23.824Z', 1, '0.1.0', '20261202T072823-4d5f62', NULL);
INSERT INTO ratchet.items VALUES ('V3.1', 3, 1, 'add_isbn_column', '120', 'V3.1__120__add_isbn_column.sql', 'd5aa073ceb4153a9a6f4472700f518166ab4e77895276d9afc47efe00fb98c8e', 'applied', 0, '2026-12-02T07:28:23.826Z', 1, '0.1.0', '20261202T072823-4d5f62', NULL);
INSERT INTO ratchet.items VALUES ('V4', 4, 0, 'create_orders', '130', 'V4__130__create_orders.sql', 'c45fe24c901938fe828ba6ba7edfdedc8bd3cfbd30247f9898ba5d463a5edff2', 'applied', 0, '2026-12-02T07:28:23.827Z', 3, '0.1.0', '20261202T072823-4d5f62', NULL);
INSERT INTO ratchet.items VALUES ('V6', 6, 0, 'backfill_book_slugs', '140', 'V6__140__backfill_book_slugs.sql', '49a47729ff16ff17bc7cd1622563b0ad379b581752f369cd71bf7d7f23f4384f', 'applied', 0, '2026-12-02T07:28:23.831Z', 1, '0.1.0', '20261202T072823-4d5f62', NULL);
INSERT INTO ratchet.items VALUES ('V7', 7, 0, 'author_sales_view', '150', 'V7__150__author_sales_view.sql', '45d6e00b261f38cf986612ab92c23cfc4a53404fc00361d5b870598d25217740', 'applied', 0, '2026-12-02T07:28:23.832Z', 1, '0.1.0', '20261202T072823-4d5f62', NULL);
INSERT INTO ratchet.items VALUES ('V8', 8, 0, 'audit_price_changes', '160', 'V8__160__audit_price_changes.postgresql.sql', 'e801281a59d97e00465eddf08bada1df182d769d348b2cc1eea26e1681817248', 'applied', 0, '2026-12-02T07:28:23.834Z', 3, '0.1.0', '20261202T072823-4d5f62', NULL);
INSERT INTO ratchet.items VALUES ('V9', 9, 0, 'title_search_helper', '170', 'V9__170__title_search_helper.sql', '98fe2b80cdcee05e2c90e03b1f095a826099fcfc746a9548a2ef45abe16fbf3d', 'applied', 1, '2026-12-02T07:28:23.837Z', 1, '0.1.0', '20261202T072823-4d5f62', NULL);
INSERT INTO ratchet.items VALUES ('V10', 10, 0, 'authors_full_name_expand', '300', 'V10__300__authors_full_name_expand.postgresql.sql', 'ee272a5f51317fe78ff184dd905b01e62cf3439b641cd34efd0ce22011ec2ba1', 'applied', 0, '2026-12-02T07:28:23.958Z', 1, '0.1.0', '20261202T072823-84e394', NULL);
INSERT INTO ratchet.items VALUES ('V11', 11, 0, 'authors_full_name_backfill', '300', 'V11__300__authors_full_name_backfill.postgresql.sql', '9d32a84e85f924ce0ce17e5cf6e27bd87f4861f7f85775acbd5cb298c61440b6', 'applied', 0, '2026-12-02T07:28:23.959Z', 3, '0.1.0', '20261202T072823-84e394', NULL);
INSERT INTO ratchet.items VALUES ('V12', 12, 0, 'authors_full_name_contract', '300', 'V12__300__authors_full_name_contract.postgresql.sql', '5b1be539bc1e9fb51fe405846ddf4b6591b1808dac161ce0948fd9963ee2b82d', 'applied', 0, '2026-12-02T07:28:23.963Z', 0, '0.1.0', '20261202T072823-84e394', NULL);


--
-- Data for Name: state; Type: TABLE DATA; Schema: ratchet; Owner: -
--

INSERT INTO ratchet.state VALUES (1, 'active', '20261202T072823-84e394', '2.0', '3.0', '2026-12-02T07:28:23.901Z', '2026-12-02T07:28:23.964Z', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '2026-12-02T07:28:23.910Z', '2026-12-02T07:28:23.958Z', 1);


--
-- Name: authors authors_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.authors
    ADD CONSTRAINT authors_pkey PRIMARY KEY (id);


--
-- Name: books books_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.books
    ADD CONSTRAINT books_pkey PRIMARY KEY (id);


--
-- Name: orders orders_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_pkey PRIMARY KEY (id);


--
-- Name: events events_pkey; Type: CONSTRAINT; Schema: ratchet; Owner: -
--

ALTER TABLE ONLY ratchet.events
    ADD CONSTRAINT events_pkey PRIMARY KEY (seq);


--
-- Name: items items_pkey; Type: CONSTRAINT; Schema: ratchet; Owner: -
--

ALTER TABLE ONLY ratchet.items
    ADD CONSTRAINT items_pkey PRIMARY KEY (version);


--
-- Name: state state_pkey; Type: CONSTRAINT; Schema: ratchet; Owner: -
--

ALTER TABLE ONLY ratchet.state
    ADD CONSTRAINT state_pkey PRIMARY KEY (id);


--
-- Name: books_isbn_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX books_isbn_key ON public.books USING btree (isbn);


--
-- Name: books_title_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX books_title_idx ON public.books USING btree (title);


--
-- Name: books_title_lower_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX books_title_lower_idx ON public.books USING btree (lower(title));


--
-- Name: orders_book_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX orders_book_id_idx ON public.orders USING btree (book_id);


--
-- Name: books books_price_audit; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER books_price_audit AFTER UPDATE OF price_cents ON public.books FOR EACH ROW WHEN ((old.price_cents <> new.price_cents)) EXECUTE FUNCTION public.books_price_audit();


--
-- Name: books books_author_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.books
    ADD CONSTRAINT books_author_id_fkey FOREIGN KEY (author_id) REFERENCES public.authors(id);


--
-- Name: orders orders_book_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_book_id_fkey FOREIGN KEY (book_id) REFERENCES public.books(id);


--
-- Name: price_history price_history_book_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.price_history
    ADD CONSTRAINT price_history_book_id_fkey FOREIGN KEY (book_id) REFERENCES public.books(id);


--
-- PostgreSQL database dump complete
--


