-- Exact delivery counters for /metrics: every event row written is one created delivery.
-- (Duplicates write no row; the intake batch counts them. Rejections are counted by the worker.)
CREATE TRIGGER `metric_count_created_delivery` AFTER INSERT ON `webhook_events` BEGIN
  INSERT INTO `metric_counters` (`name`, `labels`, `value`)
  VALUES ('ops_webhook_receiver_deliveries_total', 'event="' || NEW.`event_type` || '",outcome="created"', 1)
  ON CONFLICT (`name`, `labels`) DO UPDATE SET `value` = `value` + excluded.`value`;
END;
--> statement-breakpoint
-- A database that already holds events starts its counters from them.
INSERT INTO `metric_counters` (`name`, `labels`, `value`)
  SELECT 'ops_webhook_receiver_deliveries_total', 'event="' || `event_type` || '",outcome="created"', count(*)
  FROM `webhook_events` GROUP BY `event_type`;
