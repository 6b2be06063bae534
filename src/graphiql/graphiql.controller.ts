import { Controller, Get, Headers, NotFoundException, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Public } from '../access/decorators';
import { graphiqlAssets } from './assets';

/** The scripts and styles of the GraphiQL page (the page itself is Apollo's landing page: landing-page.ts). */
@Public()
@Controller('graphiql')
export class GraphiQLController {
  @Get(':bundle/:file')
  async asset(
    @Param('bundle') bundle: string,
    @Param('file') file: string,
    @Headers('accept-encoding') acceptEncoding: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const asset = graphiqlAssets().ASSETS.get(`/graphiql/${bundle}/${file}`);
    if (!asset) throw new NotFoundException();
    const compressed = acceptsGzip(acceptEncoding);
    reply
      .header('content-type', asset.contentType)
      // The path names the package's version: a new version is a new URL.
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('vary', 'accept-encoding')
      .header('x-content-type-options', 'nosniff');
    if (compressed) reply.header('content-encoding', 'gzip');
    await reply.send(await asset.body(compressed));
  }
}

/** Whether Accept-Encoding allows gzip, by name or by `*` (a weight of 0 refuses it). */
function acceptsGzip(header: string | undefined): boolean {
  const weights = new Map(
    (header ?? '').split(',').map((part) => {
      const [coding, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
      const q = params.find((p) => p.startsWith('q='));
      return [coding, q === undefined ? 1 : Number(q.slice(2))];
    }),
  );
  return (weights.get('gzip') ?? weights.get('*') ?? 0) > 0;
}
