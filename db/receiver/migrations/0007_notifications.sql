CREATE TABLE `notification_attempts` (
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
CREATE INDEX `notification_attempts_message_idx` ON `notification_attempts` (`message_id`,`id`);--> statement-breakpoint
CREATE TABLE `notifications` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`ticket_id` integer,
	`channel` text NOT NULL,
	`reason` text NOT NULL,
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
	`delivered_at` integer,
	`requeued_by` text,
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notifications_id_unique` ON `notifications` (`id`);--> statement-breakpoint
CREATE INDEX `notifications_due_idx` ON `notifications` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `notifications_ticket_idx` ON `notifications` (`ticket_id`,`seq`);--> statement-breakpoint
CREATE INDEX `notifications_status_updated_idx` ON `notifications` (`status`,`updated_at`);--> statement-breakpoint
CREATE TABLE `receiver_state` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
