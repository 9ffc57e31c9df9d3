CREATE TABLE `tickets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`subject` text NOT NULL,
	`priority` text DEFAULT 'normal' NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`domain` text NOT NULL,
	`session_id` text NOT NULL,
	`opened_by_event_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tickets_opened_by_event_id_unique` ON `tickets` (`opened_by_event_id`);--> statement-breakpoint
CREATE INDEX `tickets_session_status_idx` ON `tickets` (`session_id`,`status`);--> statement-breakpoint
CREATE INDEX `tickets_domain_idx` ON `tickets` (`domain`);--> statement-breakpoint
CREATE INDEX `tickets_status_id_idx` ON `tickets` (`status`,`id`);--> statement-breakpoint
CREATE TABLE `webhook_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`event_type` text NOT NULL,
	`session_id` text NOT NULL,
	`domain` text NOT NULL,
	`webhook_id` text,
	`intake_id` text NOT NULL,
	`occurred_at` integer,
	`received_at` integer NOT NULL,
	`data` text DEFAULT '{}' NOT NULL,
	`ticket_id` integer,
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_events_dedup_key_unique` ON `webhook_events` (`event_type`,`session_id`,`domain`);--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_events_webhook_id_unique` ON `webhook_events` (`webhook_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_events_intake_id_unique` ON `webhook_events` (`intake_id`);--> statement-breakpoint
CREATE INDEX `webhook_events_session_idx` ON `webhook_events` (`session_id`);--> statement-breakpoint
CREATE INDEX `webhook_events_ticket_idx` ON `webhook_events` (`ticket_id`);