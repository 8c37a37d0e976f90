-- What ratchet 0.1.0 (bookkeeping format 1) left in a database: the bookshop
-- set beside this file upgraded to release 2.0, then 3.0 prepared and
-- finalized. Written by pg_dump / sqlite3 .dump; do not edit: the tests read
-- it as an older ratchet wrote it.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE ratchet_items ( version TEXT PRIMARY KEY, major INTEGER NOT NULL, minor INTEGER NOT NULL, description TEXT NOT NULL, ticket TEXT NOT NULL, file TEXT NOT NULL, checksum TEXT NOT NULL, phase TEXT NOT NULL  CHECK (phase IN ('prepared', 'applied', 'failed')), optional INTEGER NOT NULL DEFAULT 0, applied_at TEXT NOT NULL, duration_ms INTEGER NOT NULL DEFAULT 0, tool_version TEXT NOT NULL, upgrade_id TEXT NOT NULL, error TEXT);
INSERT INTO ratchet_items VALUES('V1',1,0,'create_authors_and_books','100','V1__100__create_authors_and_books.sql','57ce3fad94a0f25f766e6adf21fd64b1d022a94a147efd842dc27d9f6990c613','applied',0,'2026-12-02T07:28:24.024Z',0,'0.1.0','20261202T072824-0eb016',NULL);
INSERT INTO ratchet_items VALUES('V2',2,0,'seed_catalogue','101','V2__101__seed_catalogue.sql','fd76dd01f539224d5dba4e53af86d43ed2fd42258b6726df732f28310ad4c24e','applied',0,'2026-12-02T07:28:24.024Z',0,'0.1.0','20261202T072824-0eb016',NULL);
INSERT INTO ratchet_items VALUES('V3',3,0,'index_books_by_title','102','V3__102__index_books_by_title.sql','296cbd78d4aa0b8230e23676c86970499c1f1a8c6dabde0f42ed7065f068046b','applied',0,'2026-12-02T07:28:24.025Z',0,'0.1.0','20261202T072824-0eb016',NULL);
INSERT INTO ratchet_items VALUES('V3.1',3,1,'add_isbn_column','120','V3.1__120__add_isbn_column.sql','d5aa073ceb4153a9a6f4472700f518166ab4e77895276d9afc47efe00fb98c8e','applied',0,'2026-12-02T07:28:24.025Z',0,'0.1.0','20261202T072824-0eb016',NULL);
INSERT INTO ratchet_items VALUES('V4',4,0,'create_orders','130','V4__130__create_orders.sql','c45fe24c901938fe828ba6ba7edfdedc8bd3cfbd30247f9898ba5d463a5edff2','applied',0,'2026-12-02T07:28:24.025Z',0,'0.1.0','20261202T072824-0eb016',NULL);
INSERT INTO ratchet_items VALUES('V6',6,0,'backfill_book_slugs','140','V6__140__backfill_book_slugs.sql','49a47729ff16ff17bc7cd1622563b0ad379b581752f369cd71bf7d7f23f4384f','applied',0,'2026-12-02T07:28:24.025Z',0,'0.1.0','20261202T072824-0eb016',NULL);
INSERT INTO ratchet_items VALUES('V7',7,0,'author_sales_view','150','V7__150__author_sales_view.sql','45d6e00b261f38cf986612ab92c23cfc4a53404fc00361d5b870598d25217740','applied',0,'2026-12-02T07:28:24.025Z',0,'0.1.0','20261202T072824-0eb016',NULL);
INSERT INTO ratchet_items VALUES('V8',8,0,'audit_price_changes','160','V8__160__audit_price_changes.sqlite.sql','f6f8062d877055550866f7fde3ce33ae983f0bb96064a311fa2119aba9bd84b2','applied',0,'2026-12-02T07:28:24.026Z',0,'0.1.0','20261202T072824-0eb016',NULL);
INSERT INTO ratchet_items VALUES('V9',9,0,'title_search_helper','170','V9__170__title_search_helper.sql','98fe2b80cdcee05e2c90e03b1f095a826099fcfc746a9548a2ef45abe16fbf3d','applied',1,'2026-12-02T07:28:24.026Z',0,'0.1.0','20261202T072824-0eb016',NULL);
INSERT INTO ratchet_items VALUES('V10',10,0,'authors_full_name_expand','300','V10__300__authors_full_name_expand.sqlite.sql','873220f92ec47a5e467098c8feb9aeca2307ed380f7b64eebae7652451718a65','applied',0,'2026-12-02T07:28:24.103Z',0,'0.1.0','20261202T072824-112926',NULL);
INSERT INTO ratchet_items VALUES('V11',11,0,'authors_full_name_backfill','300','V11__300__authors_full_name_backfill.sqlite.sql','bbdd93feabe7060ffa44e88f0c9071730ce11a647ed31c45a02a3af729cb80ea','applied',0,'2026-12-02T07:28:24.103Z',0,'0.1.0','20261202T072824-112926',NULL);
INSERT INTO ratchet_items VALUES('V12',12,0,'authors_full_name_contract','300','V12__300__authors_full_name_contract.sqlite.sql','d256792da21de8af31b05356eedbffacdb5cfee7e627fd78ff8c5cf628d0f7c1','applied',0,'2026-12-02T07:28:24.105Z',0,'0.1.0','20261202T072824-112926',NULL);
CREATE TABLE ratchet_state ( id INTEGER PRIMARY KEY CHECK (id = 1), status TEXT NOT NULL, upgrade_id TEXT, from_release TEXT, to_release TEXT, started_at TEXT, updated_at TEXT, in_flight TEXT, error_item TEXT, error_file TEXT, error_line INTEGER, error_column INTEGER, error_statement TEXT, error_sqlstate TEXT, error_message TEXT, error_at TEXT, prepared_at TEXT, finalized_at TEXT, pivoted INTEGER NOT NULL DEFAULT 0);
INSERT INTO ratchet_state VALUES(1,'active','20261202T072824-112926','2.0','3.0','2026-12-02T07:28:24.066Z','2026-12-02T07:28:24.105Z',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,'2026-12-02T07:28:24.068Z','2026-12-02T07:28:24.102Z',1);
CREATE TABLE ratchet_events ( seq INTEGER PRIMARY KEY, at TEXT NOT NULL, upgrade_id TEXT, event TEXT NOT NULL, version TEXT, detail TEXT);
INSERT INTO ratchet_events VALUES(1,'2026-12-02T07:28:24.021Z',NULL,'bookkeeping-created',NULL,'0.1.0');
INSERT INTO ratchet_events VALUES(2,'2026-12-02T07:28:24.022Z','20261202T072824-0eb016','upgrade-started',NULL,'9 pending item(s)');
INSERT INTO ratchet_events VALUES(3,'2026-12-02T07:28:24.024Z','20261202T072824-0eb016','item-applied','V1','57ce3fad94a0f25f766e6adf21fd64b1d022a94a147efd842dc27d9f6990c613');
INSERT INTO ratchet_events VALUES(4,'2026-12-02T07:28:24.024Z','20261202T072824-0eb016','item-applied','V2','fd76dd01f539224d5dba4e53af86d43ed2fd42258b6726df732f28310ad4c24e');
INSERT INTO ratchet_events VALUES(5,'2026-12-02T07:28:24.025Z','20261202T072824-0eb016','item-applied','V3','296cbd78d4aa0b8230e23676c86970499c1f1a8c6dabde0f42ed7065f068046b');
INSERT INTO ratchet_events VALUES(6,'2026-12-02T07:28:24.025Z','20261202T072824-0eb016','item-applied','V3.1','d5aa073ceb4153a9a6f4472700f518166ab4e77895276d9afc47efe00fb98c8e');
INSERT INTO ratchet_events VALUES(7,'2026-12-02T07:28:24.025Z','20261202T072824-0eb016','item-applied','V4','c45fe24c901938fe828ba6ba7edfdedc8bd3cfbd30247f9898ba5d463a5edff2');
INSERT INTO ratchet_events VALUES(8,'2026-12-02T07:28:24.025Z','20261202T072824-0eb016','item-applied','V6','49a47729ff16ff17bc7cd1622563b0ad379b581752f369cd71bf7d7f23f4384f');
INSERT INTO ratchet_events VALUES(9,'2026-12-02T07:28:24.025Z','20261202T072824-0eb016','item-applied','V7','45d6e00b261f38cf986612ab92c23cfc4a53404fc00361d5b870598d25217740');
INSERT INTO ratchet_events VALUES(10,'2026-12-02T07:28:24.026Z','20261202T072824-0eb016','item-applied','V8','f6f8062d877055550866f7fde3ce33ae983f0bb96064a311fa2119aba9bd84b2');
INSERT INTO ratchet_events VALUES(11,'2026-12-02T07:28:24.026Z','20261202T072824-0eb016','item-applied','V9','98fe2b80cdcee05e2c90e03b1f095a826099fcfc746a9548a2ef45abe16fbf3d');
INSERT INTO ratchet_events VALUES(12,'2026-12-02T07:28:24.026Z','20261202T072824-0eb016','upgrade-done',NULL,'9 applied, 0 optional failed, 0 skipped');
INSERT INTO ratchet_events VALUES(13,'2026-12-02T07:28:24.066Z','20261202T072824-112926','prepare-started',NULL,'3 pending item(s), 0 already prepared');
INSERT INTO ratchet_events VALUES(14,'2026-12-02T07:28:24.068Z','20261202T072824-112926','item-prepared','V10','873220f92ec47a5e467098c8feb9aeca2307ed380f7b64eebae7652451718a65');
INSERT INTO ratchet_events VALUES(15,'2026-12-02T07:28:24.068Z','20261202T072824-112926','item-prepared','V11','bbdd93feabe7060ffa44e88f0c9071730ce11a647ed31c45a02a3af729cb80ea');
INSERT INTO ratchet_events VALUES(16,'2026-12-02T07:28:24.068Z','20261202T072824-112926','item-prepared','V12','d256792da21de8af31b05356eedbffacdb5cfee7e627fd78ff8c5cf628d0f7c1');
INSERT INTO ratchet_events VALUES(17,'2026-12-02T07:28:24.068Z','20261202T072824-112926','prepare-done',NULL,'3 prepared, 0 optional failed, 0 skipped');
INSERT INTO ratchet_events VALUES(18,'2026-12-02T07:28:24.103Z','20261202T072824-112926','item-finalized','V10','873220f92ec47a5e467098c8feb9aeca2307ed380f7b64eebae7652451718a65');
INSERT INTO ratchet_events VALUES(19,'2026-12-02T07:28:24.103Z','20261202T072824-112926','item-finalized','V11','bbdd93feabe7060ffa44e88f0c9071730ce11a647ed31c45a02a3af729cb80ea');
INSERT INTO ratchet_events VALUES(20,'2026-12-02T07:28:24.105Z','20261202T072824-112926','item-finalized','V12','d256792da21de8af31b05356eedbffacdb5cfee7e627fd78ff8c5cf628d0f7c1');
INSERT INTO ratchet_events VALUES(21,'2026-12-02T07:28:24.105Z','20261202T072824-112926','pivoted',NULL,'3 item(s) finalized');
CREATE TABLE authors (
  id INTEGER PRIMARY KEY,
  full_name TEXT);
INSERT INTO authors VALUES(1,'Mary Shelley');
INSERT INTO authors VALUES(2,'Herman Melville');
INSERT INTO authors VALUES(3,'Jane Austen');
CREATE TABLE books (
  id INTEGER PRIMARY KEY,
  author_id INTEGER NOT NULL REFERENCES authors (id),
  title TEXT NOT NULL,
  price_cents INTEGER NOT NULL DEFAULT 0 CHECK (price_cents >= 0)
, isbn TEXT, slug TEXT);
INSERT INTO books VALUES(1,1,'Frankenstein',899,NULL,'frankenstein');
INSERT INTO books VALUES(2,2,'Moby-Dick; or, The Whale',1299,NULL,'moby-dick-or-the-whale');
INSERT INTO books VALUES(3,3,'Pride and Prejudice',799,NULL,'pride-and-prejudice');
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  book_id INTEGER NOT NULL REFERENCES books (id),
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  ordered_at TEXT NOT NULL
);
CREATE TABLE price_history (
  book_id INTEGER NOT NULL REFERENCES books (id),
  old_price_cents INTEGER NOT NULL,
  new_price_cents INTEGER NOT NULL,
  changed_at TEXT NOT NULL
);
CREATE INDEX books_title_idx ON books (title);
CREATE UNIQUE INDEX books_isbn_key ON books (isbn);
CREATE INDEX orders_book_id_idx ON orders (book_id);
CREATE TRIGGER books_price_audit
AFTER UPDATE OF price_cents ON books
WHEN OLD.price_cents <> NEW.price_cents
BEGIN
  INSERT INTO price_history (book_id, old_price_cents, new_price_cents, changed_at)
  VALUES (OLD.id, OLD.price_cents, NEW.price_cents, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;
CREATE INDEX books_title_lower_idx ON books (lower(title));
CREATE VIEW author_sales AS
SELECT a.id AS author_id,
       a.full_name,
       COUNT(o.id) AS orders,
       COALESCE(SUM(o.quantity * b.price_cents), 0) AS revenue_cents
  FROM authors a
  LEFT JOIN books b ON b.author_id = a.id
  LEFT JOIN orders o ON o.book_id = b.id
 GROUP BY a.id, a.full_name;
COMMIT;
