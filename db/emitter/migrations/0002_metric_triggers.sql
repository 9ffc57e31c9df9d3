-- Exact counters for /metrics, raised by the rows the emitter writes anyway.
-- Accepted events: every outbox row is one accepted event.
CREATE TRIGGER `metric_count_accepted` AFTER INSERT ON `outbox_messages` BEGIN
  INSERT INTO `metric_counters` (`name`, `labels`, `value`)
  VALUES ('ops_webhook_emitter_accepted_total', 'event="' || NEW.`event_type` || '"', 1)
  ON CONFLICT (`name`, `labels`) DO UPDATE SET `value` = `value` + excluded.`value`;
END;
--> statement-breakpoint
-- Delivery attempts by result: every attempt row is one attempt.
CREATE TRIGGER `metric_count_attempt` AFTER INSERT ON `delivery_attempts` BEGIN
  INSERT INTO `metric_counters` (`name`, `labels`, `value`)
  VALUES ('ops_webhook_emitter_attempts_total', 'result="' || (CASE
      WHEN NEW.`status_code` BETWEEN 200 AND 299 THEN 'success'
      WHEN NEW.`status_code` BETWEEN 400 AND 499 THEN 'http_4xx'
      WHEN NEW.`status_code` >= 500 THEN 'http_5xx'
      WHEN NEW.`status_code` IS NOT NULL THEN 'http_other'
      WHEN NEW.`error` LIKE 'timeout%' THEN 'timeout'
      ELSE 'network_error' END) || '"', 1)
  ON CONFLICT (`name`, `labels`) DO UPDATE SET `value` = `value` + excluded.`value`;
END;
--> statement-breakpoint
-- Seconds from acceptance to the delivering attempt, as a cumulative histogram.
CREATE TRIGGER `metric_delivery_seconds` AFTER UPDATE OF `status` ON `outbox_messages`
  WHEN NEW.`status` = 'delivered' AND OLD.`status` <> 'delivered' AND NEW.`delivered_at` IS NOT NULL
BEGIN
  INSERT INTO `metric_counters` (`name`, `labels`, `value`)
    SELECT 'ops_webhook_emitter_delivery_seconds_bucket', 'le="' || `le` || '"', 1
    FROM (SELECT `column1` AS `le`, `column2` AS `bound` FROM (VALUES
      ('0.05', 0.05), ('0.1', 0.1), ('0.25', 0.25), ('0.5', 0.5), ('1', 1), ('2.5', 2.5), ('5', 5), ('10', 10),
      ('30', 30), ('60', 60), ('300', 300), ('900', 900), ('3600', 3600), ('21600', 21600), ('86400', 86400), ('+Inf', 9e999)))
    WHERE (NEW.`delivered_at` - NEW.`created_at`) / 1000.0 <= `bound`
  ON CONFLICT (`name`, `labels`) DO UPDATE SET `value` = `value` + excluded.`value`;
  INSERT INTO `metric_counters` (`name`, `labels`, `value`)
  VALUES ('ops_webhook_emitter_delivery_seconds_count', '', 1), ('ops_webhook_emitter_delivery_seconds_sum', '', (NEW.`delivered_at` - NEW.`created_at`) / 1000.0)
  ON CONFLICT (`name`, `labels`) DO UPDATE SET `value` = `value` + excluded.`value`;
END;
--> statement-breakpoint
-- A database that already holds messages and attempts starts its counters from them.
INSERT INTO `metric_counters` (`name`, `labels`, `value`)
  SELECT 'ops_webhook_emitter_accepted_total', 'event="' || `event_type` || '"', count(*) FROM `outbox_messages` GROUP BY `event_type`;
--> statement-breakpoint
INSERT INTO `metric_counters` (`name`, `labels`, `value`)
  SELECT 'ops_webhook_emitter_attempts_total', 'result="' || `result` || '"', count(*) FROM (SELECT CASE
      WHEN `status_code` BETWEEN 200 AND 299 THEN 'success'
      WHEN `status_code` BETWEEN 400 AND 499 THEN 'http_4xx'
      WHEN `status_code` >= 500 THEN 'http_5xx'
      WHEN `status_code` IS NOT NULL THEN 'http_other'
      WHEN `error` LIKE 'timeout%' THEN 'timeout'
      ELSE 'network_error' END AS `result` FROM `delivery_attempts`) GROUP BY `result`;
