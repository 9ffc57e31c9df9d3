CREATE TABLE `delivery_attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`message_id` text NOT NULL,
	`attempt_no` integer NOT NULL,
	`trigger` text NOT NULL,
	`started_at` integer NOT NULL,
	`duration_ms` integer NOT NULL,
	`status_code` integer,
	`error` text,
	`response_body` text,
	`outcome` text NOT NULL,
	`next_attempt_at` integer
);
--> statement-breakpoint
CREATE INDEX `delivery_attempts_message_idx` ON `delivery_attempts` (`message_id`,`id`);--> statement-breakpoint
CREATE TABLE `emitter_state` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `outbox_messages` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`event_type` text NOT NULL,
	`session_id` text NOT NULL,
	`domain` text NOT NULL,
	`payload` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`schedule_index` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`not_before` integer,
	`lease_until` integer,
	`last_status` integer,
	`last_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`delivered_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_messages_id_unique` ON `outbox_messages` (`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_messages_dedup_key_unique` ON `outbox_messages` (`event_type`,`session_id`,`domain`);--> statement-breakpoint
CREATE INDEX `outbox_messages_due_idx` ON `outbox_messages` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `outbox_messages_session_idx` ON `outbox_messages` (`session_id`,`domain`,`status`,`seq`);