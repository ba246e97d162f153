-- "Overlay" was this code's word for what the notice and the docs call escalations: one name from URL to table.
ALTER TABLE "overlays" RENAME TO "escalations";--> statement-breakpoint
ALTER INDEX "overlays_kind_due_idx" RENAME TO "escalations_kind_due_idx";--> statement-breakpoint
ALTER INDEX "overlays_case_idx" RENAME TO "escalations_case_idx";--> statement-breakpoint
ALTER TABLE "escalations" RENAME CONSTRAINT "overlays_pkey" TO "escalations_pkey";
