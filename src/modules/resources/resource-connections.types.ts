import { ObjectType } from 'type-graphql';
import { Connection } from '../common/pagination';
import { Dataset, Ontology, Project } from './resource.types';

@ObjectType('ProjectConnection', { simpleResolvers: true })
export class ProjectConnection extends Connection(Project) {}

@ObjectType('DatasetConnection', { simpleResolvers: true })
export class DatasetConnection extends Connection(Dataset) {}

@ObjectType('OntologyConnection', { simpleResolvers: true })
export class OntologyConnection extends Connection(Ontology) {}
