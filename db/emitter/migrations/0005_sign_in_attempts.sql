ALTER TABLE `login_failures` ADD `attempt` text;--> statement-breakpoint
CREATE INDEX `login_failures_at_idx` ON `login_failures` (`at`);--> statement-breakpoint
ALTER TABLE `operator_sessions` ADD `credential` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX `operator_sessions_last_seen_idx` ON `operator_sessions` (`last_seen_at`);