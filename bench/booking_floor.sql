-- The statements of one booking (POST /api/v1/bookings on a scheduled date) as the
-- server sends them, for pgbench: what PostgreSQL alone spends on a booking, with no
-- Python in the way. bench/bookings.py (case `floor`) sets the ranges of customers and
-- dates, :product and :provider. Captured from the booking path with CaptureQueriesContext;
-- keep it in step when that path changes.
\set c random(:first_customer, :last_customer)
\set d random(:first_date, :last_date)
SELECT t.*, a.*, p.* FROM identity_personalaccesstoken t JOIN identity_account a ON t.account_id = a.id LEFT JOIN contacts_person p ON a.id = p.account_id WHERE t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now()) AND a.is_active AND t.account_id = :c ORDER BY t.created_at DESC, t.id DESC LIMIT 1;
SELECT id FROM bookings_booking WHERE customer_id = :c AND idempotency_key = 'none' LIMIT 1;
SELECT p.*, EXISTS(SELECT 1 FROM communities_publication u0 JOIN communities_community u1 ON u0.community_id = u1.id WHERE u1.visibility = 'public' AND u0.live AND u0.object_id = p.id AND u0.status = 'approved' LIMIT 1) AS public FROM catalogue_product p WHERE p.id = :product LIMIT 1;
BEGIN;
SELECT * FROM catalogue_occurrence WHERE id = :d AND product_id = :product ORDER BY id LIMIT 1 FOR UPDATE;
SELECT (SELECT COALESCE(SUM(quantity), 0) FROM bookings_booking WHERE occurrence_id = :d AND state IN ('requested', 'proposed', 'confirmed')), EXISTS(SELECT 1 FROM bookings_waitinglistentry WHERE occurrence_id = :d AND status = 'offered'), EXISTS(SELECT 1 FROM bookings_booking WHERE occurrence_id = :d AND customer_id = :c AND state IN ('requested', 'proposed', 'confirmed')), (SELECT id FROM bookings_booking WHERE customer_id = :c AND idempotency_key = 'none' AND idempotency_key <> '');
INSERT INTO bookings_booking (product_id, occurrence_id, unit_id, customer_id, customer_name, customer_email, organisation_id, provider_id, starts_at, ends_at, start_date, end_date, quantity, answers, message, state, unit_price_cents, vat_rate, discount_cents, total_cents, voucher_id, proposed_price_cents, idempotency_key, checked_in_at, reminded_at, created_at, updated_at) VALUES (:product, :d, NULL, :c, 'Customer', 'c@bench.example', NULL, :provider, NULL, NULL, NULL, NULL, 1, '{}'::jsonb, '', 'confirmed', 2500, 21.0, 0, 2500, NULL, NULL, '', NULL, NULL, now(), now()) RETURNING id AS booking \gset
INSERT INTO bookings_bookingevent (booking_id, actor_id, at, from_state, to_state, reason, data) VALUES (:booking, :c, now(), '', 'confirmed', '', '{"quantity": 1, "total_cents": 2500}'::jsonb) RETURNING id;
INSERT INTO audit_auditrecord (created_at, action, actor_id, subject_id, target_type, target_id, ip_address, user_agent, data) VALUES (now(), 'bookings.confirmed', :c, NULL, 'bookings.booking', :booking::text, '127.0.0.1'::inet, '', '{"from": "", "to": "confirmed", "reason": "", "quantity": 1, "total_cents": 2500}'::jsonb) RETURNING id;
INSERT INTO notifications_notification (recipient_id, kind, actor_id, params, url, created_at, read_at, emailed_at) VALUES (:provider, 'bookings.new', :c, '{"product": "Benchmark training", "actor": "Customer 7"}'::jsonb, '/provider/bookings/6/', now(), NULL, NULL) RETURNING id;
INSERT INTO django_tasks_database_dbtaskresult (id, status, enqueued_at, started_at, finished_at, args_kwargs, priority, task_path, worker_ids, queue_name, backend_name, run_after, return_value, exception_class_path, traceback) VALUES (gen_random_uuid(), 'READY', now(), NULL, NULL, '{"args": [], "kwargs": {"booking_id": 6, "kind": "created"}}'::jsonb, 0, 'weconomics.bookings.tasks.send_booking_mail', '[]'::jsonb, 'default', 'default', '9999-01-01 00:00:00+00:00'::timestamptz, NULL, '', '');
COMMIT;
