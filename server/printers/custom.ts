// Custom resources print their CRD's additionalPrinterColumns; the columns and cells are
// model/crd/schema-columns.ts (apiextensions' tableconvertor), adapted to the printer shape.
import type { PrinterColumn } from '../../model/catalog.js';
import { newTableConvertor } from '../../model/crd/schema-columns.js';
import type { TablePrinter } from './base.js';

export function customResourcePrinter(columns: readonly PrinterColumn[]): TablePrinter {
  const convertor = newTableConvertor(columns);
  return {
    columns: convertor.columnDefinitions,
    cells: (obj, now) => convertor.cells(obj as unknown as Record<string, unknown>, now),
  };
}
