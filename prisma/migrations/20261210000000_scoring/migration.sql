-- CreateTable
CREATE TABLE "Promotion" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "seriesId" INTEGER NOT NULL,
    "runId" INTEGER NOT NULL,
    "championRunId" INTEGER,
    "decision" TEXT NOT NULL,
    "metric" TEXT,
    "challengerScore" REAL,
    "championScore" REAL,
    "windowFrom" BIGINT,
    "windowTo" BIGINT,
    "windowPoints" INTEGER NOT NULL DEFAULT 0,
    "reason" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    CONSTRAINT "Promotion_seriesId_fkey" FOREIGN KEY ("seriesId") REFERENCES "Series" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Promotion_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ForecastScore" (
    "forecastId" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "seriesId" INTEGER NOT NULL,
    "runId" INTEGER,
    "originTs" BIGINT,
    "points" INTEGER NOT NULL,
    "mae" REAL,
    "rmse" REAL,
    "smape" REAL,
    "mase" REAL,
    "coverage80" REAL,
    "coverage95" REAL,
    "bias" REAL,
    "scale" REAL,
    "promisedMase" REAL,
    "promisedSmape" REAL,
    "promisedCoverage80" REAL,
    "promisedCoverage95" REAL,
    "served" BOOLEAN NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "ForecastScore_forecastId_fkey" FOREIGN KEY ("forecastId") REFERENCES "Forecast" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SeriesScore" (
    "seriesId" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "window" INTEGER NOT NULL,
    "points" INTEGER NOT NULL,
    "mae" REAL,
    "rmse" REAL,
    "smape" REAL,
    "mase" REAL,
    "coverage80" REAL,
    "coverage95" REAL,
    "bias" REAL,
    "promisedMase" REAL,
    "outsideStreak" INTEGER NOT NULL,
    "drifting" BOOLEAN NOT NULL,
    "summary" TEXT NOT NULL,
    "rolling" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "SeriesScore_seriesId_fkey" FOREIGN KEY ("seriesId") REFERENCES "Series" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AlertRule" (
    "seriesId" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "window" INTEGER NOT NULL,
    "bandBreaks" INTEGER NOT NULL,
    "maseFactor" REAL NOT NULL,
    "minCoverage95" REAL NOT NULL,
    "minPoints" INTEGER NOT NULL,
    "runFailed" BOOLEAN NOT NULL,
    "scheduleMissed" BOOLEAN NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "AlertRule_seriesId_fkey" FOREIGN KEY ("seriesId") REFERENCES "Series" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Event" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "kind" TEXT NOT NULL,
    "seriesId" INTEGER,
    "key" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "data" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "acknowledgedAt" DATETIME,
    CONSTRAINT "Event_seriesId_fkey" FOREIGN KEY ("seriesId") REFERENCES "Series" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Webhook" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "url" TEXT NOT NULL,
    "events" TEXT,
    "secret" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "webhookId" INTEGER NOT NULL,
    "eventId" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastStatus" INTEGER,
    "lastError" TEXT,
    "deliveredAt" DATETIME,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "WebhookDelivery_webhookId_fkey" FOREIGN KEY ("webhookId") REFERENCES "Webhook" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "WebhookDelivery_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "Event" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- AddColumn (appended: SQLite adds a NOT NULL column with a default in place, no table copy)
ALTER TABLE "Run" ADD COLUMN "promote" TEXT NOT NULL DEFAULT 'always';
ALTER TABLE "Schedule" ADD COLUMN "promote" TEXT NOT NULL DEFAULT 'if-better';

-- CreateIndex
CREATE INDEX "Schedule_seriesId_enabled_nextRunAt_idx" ON "Schedule"("seriesId", "enabled", "nextRunAt");

-- CreateIndex
CREATE INDEX "Promotion_runId_idx" ON "Promotion"("runId");

-- CreateIndex
CREATE INDEX "Promotion_seriesId_createdAt_idx" ON "Promotion"("seriesId", "createdAt");

-- CreateIndex
CREATE INDEX "ForecastScore_seriesId_idx" ON "ForecastScore"("seriesId");

-- CreateIndex
CREATE UNIQUE INDEX "Event_key_key" ON "Event"("key");

-- CreateIndex
CREATE INDEX "Event_seriesId_id_idx" ON "Event"("seriesId", "id");

-- CreateIndex
CREATE INDEX "Event_severity_acknowledgedAt_idx" ON "Event"("severity", "acknowledgedAt");

-- CreateIndex
CREATE INDEX "WebhookDelivery_status_idx" ON "WebhookDelivery"("status");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookDelivery_webhookId_eventId_key" ON "WebhookDelivery"("webhookId", "eventId");

