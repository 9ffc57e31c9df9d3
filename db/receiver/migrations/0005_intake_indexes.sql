DROP INDEX `webhook_events_dedup_key_unique`;--> statement-breakpoint
DROP INDEX `webhook_events_intake_id_unique`;--> statement-breakpoint
DROP INDEX `webhook_events_session_idx`;--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_events_key_unique` ON `webhook_events` (`session_id`,`domain`,`event_type`);