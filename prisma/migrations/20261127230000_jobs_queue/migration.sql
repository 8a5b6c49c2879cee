-- AlterTable
ALTER TABLE "Run" ADD COLUMN "jobId" INTEGER;

-- AlterTable
ALTER TABLE "Schedule" ADD COLUMN "lastRunId" INTEGER;

-- CreateIndex
CREATE INDEX "Run_scheduleId_status_idx" ON "Run"("scheduleId", "status");

-- CreateIndex
CREATE INDEX "Job_status_lockedUntil_idx" ON "Job"("status", "lockedUntil");

