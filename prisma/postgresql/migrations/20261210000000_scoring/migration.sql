-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "promote" TEXT NOT NULL DEFAULT 'always';

-- AlterTable
ALTER TABLE "Schedule" ADD COLUMN     "promote" TEXT NOT NULL DEFAULT 'if-better';

-- CreateTable
CREATE TABLE "Promotion" (
    "id" SERIAL NOT NULL,
    "seriesId" INTEGER NOT NULL,
    "runId" INTEGER NOT NULL,
    "championRunId" INTEGER,
    "decision" TEXT NOT NULL,
    "metric" TEXT,
    "challengerScore" DOUBLE PRECISION,
    "championScore" DOUBLE PRECISION,
    "windowFrom" BIGINT,
    "windowTo" BIGINT,
    "windowPoints" INTEGER NOT NULL DEFAULT 0,
    "reason" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Promotion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ForecastScore" (
    "forecastId" INTEGER NOT NULL,
    "seriesId" INTEGER NOT NULL,
    "runId" INTEGER,
    "originTs" BIGINT,
    "points" INTEGER NOT NULL,
    "mae" DOUBLE PRECISION,
    "rmse" DOUBLE PRECISION,
    "smape" DOUBLE PRECISION,
    "mase" DOUBLE PRECISION,
    "coverage80" DOUBLE PRECISION,
    "coverage95" DOUBLE PRECISION,
    "bias" DOUBLE PRECISION,
    "scale" DOUBLE PRECISION,
    "promisedMase" DOUBLE PRECISION,
    "promisedSmape" DOUBLE PRECISION,
    "promisedCoverage80" DOUBLE PRECISION,
    "promisedCoverage95" DOUBLE PRECISION,
    "served" BOOLEAN NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ForecastScore_pkey" PRIMARY KEY ("forecastId")
);

-- CreateTable
CREATE TABLE "SeriesScore" (
    "seriesId" INTEGER NOT NULL,
    "window" INTEGER NOT NULL,
    "points" INTEGER NOT NULL,
    "mae" DOUBLE PRECISION,
    "rmse" DOUBLE PRECISION,
    "smape" DOUBLE PRECISION,
    "mase" DOUBLE PRECISION,
    "coverage80" DOUBLE PRECISION,
    "coverage95" DOUBLE PRECISION,
    "bias" DOUBLE PRECISION,
    "promisedMase" DOUBLE PRECISION,
    "outsideStreak" INTEGER NOT NULL,
    "drifting" BOOLEAN NOT NULL,
    "summary" TEXT NOT NULL,
    "rolling" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SeriesScore_pkey" PRIMARY KEY ("seriesId")
);

-- CreateTable
CREATE TABLE "AlertRule" (
    "seriesId" INTEGER NOT NULL,
    "window" INTEGER NOT NULL,
    "bandBreaks" INTEGER NOT NULL,
    "maseFactor" DOUBLE PRECISION NOT NULL,
    "minCoverage95" DOUBLE PRECISION NOT NULL,
    "minPoints" INTEGER NOT NULL,
    "runFailed" BOOLEAN NOT NULL,
    "scheduleMissed" BOOLEAN NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AlertRule_pkey" PRIMARY KEY ("seriesId")
);

-- CreateTable
CREATE TABLE "Event" (
    "id" SERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "seriesId" INTEGER,
    "key" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "data" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "acknowledgedAt" TIMESTAMP(3),

    CONSTRAINT "Event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Webhook" (
    "id" SERIAL NOT NULL,
    "url" TEXT NOT NULL,
    "events" TEXT,
    "secret" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Webhook_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" SERIAL NOT NULL,
    "webhookId" INTEGER NOT NULL,
    "eventId" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastStatus" INTEGER,
    "lastError" TEXT,
    "deliveredAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

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

-- CreateIndex
CREATE INDEX "Schedule_seriesId_enabled_nextRunAt_idx" ON "Schedule"("seriesId", "enabled", "nextRunAt");

-- AddForeignKey
ALTER TABLE "Promotion" ADD CONSTRAINT "Promotion_seriesId_fkey" FOREIGN KEY ("seriesId") REFERENCES "Series"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Promotion" ADD CONSTRAINT "Promotion_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ForecastScore" ADD CONSTRAINT "ForecastScore_forecastId_fkey" FOREIGN KEY ("forecastId") REFERENCES "Forecast"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SeriesScore" ADD CONSTRAINT "SeriesScore_seriesId_fkey" FOREIGN KEY ("seriesId") REFERENCES "Series"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AlertRule" ADD CONSTRAINT "AlertRule_seriesId_fkey" FOREIGN KEY ("seriesId") REFERENCES "Series"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Event" ADD CONSTRAINT "Event_seriesId_fkey" FOREIGN KEY ("seriesId") REFERENCES "Series"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_webhookId_fkey" FOREIGN KEY ("webhookId") REFERENCES "Webhook"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "Event"("id") ON DELETE CASCADE ON UPDATE CASCADE;
