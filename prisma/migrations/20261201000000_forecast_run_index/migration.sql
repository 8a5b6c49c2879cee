-- CreateIndex
CREATE INDEX "Forecast_runId_idx" ON "Forecast"("runId");
