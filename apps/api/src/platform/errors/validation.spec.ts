import { Type } from 'class-transformer';
import { IsInt, IsString, Max, Min, ValidateNested } from 'class-validator';
import { createValidationPipe } from './validation';
import { ValidationFailedError } from './app-error';

class Disk {
  @IsInt() @Min(1) @Max(65536) size_gb!: number;
}
class Body {
  @IsString() name!: string;
  @ValidateNested({ each: true }) @Type(() => Disk) disks!: Disk[];
}

async function validate(value: unknown): Promise<Record<string, string>> {
  try {
    await createValidationPipe().transform(value, { type: 'body', metatype: Body });
    return {};
  } catch (error) {
    if (error instanceof ValidationFailedError) return error.fields;
    throw error;
  }
}

describe('validation pipe', () => {
  it('names unknown fields', async () => {
    expect(await validate({ name: 'a', disks: [], colour: 'red' })).toEqual({ colour: 'unknown field' });
  });

  it('names nested fields by path', async () => {
    const fields = await validate({ name: 3, disks: [{ size_gb: 0 }] });
    expect(Object.keys(fields).sort()).toEqual(['disks.0.size_gb', 'name']);
    expect(fields['disks.0.size_gb']).toMatch(/not be less than 1/);
  });

  it('passes valid input', async () => {
    expect(await validate({ name: 'web-01', disks: [{ size_gb: 20 }] })).toEqual({});
  });
});
